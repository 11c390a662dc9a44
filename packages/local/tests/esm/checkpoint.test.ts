import { fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { EsmFixture, READS, values, type PutRecord } from "./harness.ts";

let fixture: EsmFixture;
afterEach(async () => {
  await fixture.dispose();
});

function checkpoints(file: string): Record<string, string> {
  return (JSON.parse(readFileSync(file, "utf8")) as { shards: Record<string, string> }).shards;
}

describe("checkpoints", () => {
  it.each(READS)("resumes after a stop exactly where the previous mapping left off: no loss, no replay (reads %s)", async (reads) => {
    fixture = await EsmFixture.start(2, {}, reads);
    const checkpointFile = join(fixture.dir, "esm", "checkpoints.json");
    await fixture.put(values("a", 130), 0);
    await fixture.put(values("b", 70), 1);
    const first = fixture.map(() => undefined, { checkpointFile, batchSize: 25 });
    await first.waitForIdle({ timeoutMs: 10_000 });
    await first.stop();
    const saved = JSON.parse(readFileSync(checkpointFile, "utf8")) as { version: number; streamArn: string; functionName: string };
    expect(saved).toMatchObject({ version: 1, streamArn: fixture.streamArn, functionName: "transformer" });
    const firstDelivered = fixture.delivered().length;
    expect(firstDelivered).toBe(200);

    await fixture.put(values("c", 5), 0);
    await fixture.put(values("d", 5), 1);
    const second = fixture.map(() => undefined, { checkpointFile, batchSize: 25 });
    await second.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered().slice(firstDelivered).sort()).toEqual([...values("c", 5), ...values("d", 5)].sort());
  });

  it("lets the in-flight batch finish on stop and checkpoints it", async () => {
    fixture = await EsmFixture.start(1);
    const checkpointFile = join(fixture.dir, "checkpoints.json");
    const put = await fixture.put(values("r", 10));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const mapping = fixture.map(async () => {
      started();
      await released;
    }, { checkpointFile, batchSize: 10, functionTimeoutMs: 10_000 });
    await inFlight;
    let stopped = false;
    const stopping = mapping.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(checkpoints(checkpointFile)["shardId-000000000000"]).toBe(put[9]!.sequenceNumber);
    expect(fixture.invocations).toHaveLength(1);
    await expect(mapping.waitForIdle()).rejects.toThrow(/stopped/);
  });

  it("after a kill -9 mid-batch, a new mapping replays only the batch that was in flight", async () => {
    fixture = await EsmFixture.start(2);
    const batchSize = 10;
    const put: PutRecord[] = [...(await fixture.put(values("a", 60), 0)), ...(await fixture.put(values("b", 60), 1))];
    const checkpointFile = join(fixture.dir, "checkpoints.json");
    const deliveryLog = join(fixture.dir, "delivered.log");
    const child = fork(
      fileURLToPath(new URL("./fixtures/crash-consumer.ts", import.meta.url)),
      [fixture.kinesis.endpoint.url, checkpointFile, deliveryLog, "4", String(batchSize)],
      { execArgv: [], stdio: "ignore" },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", () => reject(new Error("the consumer exited before hanging")));
    });
    child.kill("SIGKILL");
    await exited;

    const beforeCrash = readFileSync(deliveryLog, "utf8").trim().split("\n").map((line) => line.split(" ") as [string, string]);
    const saved = existsSync(checkpointFile) ? checkpoints(checkpointFile) : {};
    const resumed = fixture.map(() => undefined, { checkpointFile, batchSize });
    await resumed.waitForIdle({ timeoutMs: 10_000 });
    const afterCrash = fixture.invocations.flatMap((i) => i.sequenceNumbers.map((seq) => [i.shardId, seq] as [string, string]));

    // Nothing lost: every record was delivered by one mapping or the other.
    const key = ([shard, seq]: [string, string]) => `${shard} ${seq}`;
    const all = new Set([...beforeCrash, ...afterCrash].map(key));
    expect(all).toEqual(new Set(put.map((r) => `${r.shardId} ${r.sequenceNumber}`)));

    const replayed: number[] = [];
    for (const shardId of ["shardId-000000000000", "shardId-000000000001"]) {
      const checkpoint = saved[shardId];
      const uncheckpointed = beforeCrash.filter(([s, seq]) => s === shardId && (checkpoint === undefined || seq > checkpoint)).map(key);
      const redelivered = afterCrash.filter(([s]) => s === shardId).map(key);
      // Replayed = what the first mapping had been handed but not checkpointed: at most the batch in flight.
      expect(uncheckpointed.length).toBeLessThanOrEqual(batchSize);
      expect(redelivered.slice(0, uncheckpointed.length)).toEqual(uncheckpointed);
      expect(new Set(redelivered).size).toBe(redelivered.length);
      replayed.push(uncheckpointed.length);
    }
    // The hung invocation held a full batch (60 records a shard make six full batches): it is replayed whole.
    expect(Math.max(...replayed)).toBe(batchSize);
  });
});
