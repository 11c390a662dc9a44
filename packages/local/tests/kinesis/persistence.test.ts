import {
  CreateStreamCommand,
  DeleteStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ShardLog } from "../../src/kinesis/shard-log.ts";
import { startKinesis, tempDataDir, type KinesisHarness } from "./harness.ts";

const dirs: string[] = [];
const running: KinesisHarness[] = [];
afterEach(async () => {
  for (const harness of running.splice(0)) await harness.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string, options: { now?: () => number; segmentBytes?: number } = {}): Promise<KinesisHarness> {
  const harness = await startKinesis({ dataDir, ...options });
  running.push(harness);
  return harness;
}

function newDir(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}

async function readShard(client: KinesisClient, shardId: string, stream = "events"): Promise<{ seq: string; data: string }[]> {
  const it = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
  const out = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  return (out.Records ?? []).map((r) => ({ seq: r.SequenceNumber!, data: Buffer.from(r.Data!).toString() }));
}

const put = (client: KinesisClient, values: string[], stream = "events") =>
  client.send(new PutRecordsCommand({ StreamName: stream, Records: values.map((v) => ({ PartitionKey: "k", Data: Buffer.from(v) })) }));

describe("persistence across restarts", () => {
  it("keeps streams and records, and continues sequence numbers, in a new service on the same directory", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    await first.client.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 2 }));
    await first.client.send(new CreateStreamCommand({ StreamName: "doomed" }));
    await first.client.send(new DeleteStreamCommand({ StreamName: "doomed" }));
    const written = await put(first.client, ["a", "b", "c"]);
    const shardId = written.Records![0]!.ShardId!;
    const before = await readShard(first.client, shardId);
    await first.stop();

    const second = await start(dataDir);
    expect((await second.client.send(new ListStreamsCommand({}))).StreamNames).toEqual(["events"]);
    expect(await readShard(second.client, shardId)).toEqual(before);
    await put(second.client, ["d"]);
    const after = await readShard(second.client, shardId);
    expect(after.map((r) => r.data)).toEqual(["a", "b", "c", "d"]);
    expect(after[3]!.seq > after[2]!.seq).toBe(true);
  });

  it("tolerates a record torn by a crash: the partial last line is dropped, the rest is served", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    await first.client.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 1 }));
    await put(first.client, ["one", "two"]);
    await first.stop();
    const shardDir = findShardDir(dataDir, "shardId-000000000000");
    const segment = join(shardDir, readdirSync(shardDir)[0]!);
    const intact = statSync(segment).size;
    appendFileSync(segment, '2\t1763632800000\t"k"\tdGhy'); // a write cut short: no newline

    const second = await start(dataDir);
    expect(statSync(segment).size).toBe(intact);
    await put(second.client, ["three"]);
    expect((await readShard(second.client, "shardId-000000000000")).map((r) => r.data)).toEqual(["one", "two", "three"]);
  });

  it("refuses to start on a log damaged in the middle rather than silently losing records", () => {
    const dir = newDir();
    const log = ShardLog.open(dir, { retentionMs: 86_400_000 });
    log.append([{ partitionKey: "k", data: "YQ==" }, { partitionKey: "k", data: "Yg==" }], 1);
    log.close();
    const file = join(dir, readdirSync(dir)[0]!);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/^0\t/, "x\t")); // the first of two complete lines damaged
    expect(() => ShardLog.open(dir, { retentionMs: 86_400_000 })).toThrow(/Damaged record 0/);
  });

  it("deletes whole log segments once every record in them is past retention", async () => {
    let clock = Date.parse("2026-11-20T00:00:00Z");
    const dataDir = newDir();
    const kinesis = await start(dataDir, { now: () => clock, segmentBytes: 4096 });
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 1 }));
    const payload = "x".repeat(600);
    for (let i = 0; i < 40; i++) {
      await put(kinesis.client, [`${i}-${payload}`]);
      clock += 60_000; // one record a minute: 40 minutes of data over several 4 KiB segments
    }
    const shardDir = findShardDir(dataDir, "shardId-000000000000");
    const segmentsBefore = readdirSync(shardDir).length;
    expect(segmentsBefore).toBeGreaterThan(3);

    clock = Date.parse("2026-11-21T00:20:30Z"); // records of the first 20 minutes are past 24 h
    const kept = await readShard(kinesis.client, "shardId-000000000000");
    expect(kept.map((r) => Number(r.data.split("-")[0]))).toEqual(Array.from({ length: 19 }, (_, i) => i + 21));
    const segmentsAfter = readdirSync(shardDir).length;
    expect(segmentsAfter).toBeLessThan(segmentsBefore);

    // What was trimmed stays trimmed after a restart.
    await kinesis.stop();
    const again = await start(dataDir, { now: () => clock, segmentBytes: 4096 });
    expect((await readShard(again.client, "shardId-000000000000")).length).toBe(19);
  });
});

function findShardDir(dataDir: string, shardId: string): string {
  const streams = join(dataDir, "kinesis", "streams");
  const [stream] = readdirSync(streams);
  return join(streams, stream!, shardId);
}
