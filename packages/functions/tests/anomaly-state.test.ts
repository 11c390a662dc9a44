import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { ANOMALY_STATE_KEY, type SeriesState } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../local/src/endpoint/server.ts";
import { createS3Service } from "../../local/src/s3/index.ts";
import { decide, lakeStateStore, type StateStore } from "../src/anomaly/decide.ts";
import { AnomalyStateConflictError } from "../src/errors.ts";
import { readTextIfExists } from "../src/load/s3-objects.ts";

/**
 * Every load starts an AnomalyScoring run, so two may overlap. The series state is written with
 * S3's conditional writes (on the embedded S3): the run that wrote second re-reads and finds the
 * minute decided, so one incident is one alert whatever the interleaving. Interleavings are forced
 * with a hook between a run's read and its write, not left to timing.
 */
let dataDir: string;
let endpoint: RunningEndpoint;
let s3: S3Client;
const bucket = "lake";

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-anomaly-state-"));
  endpoint = await startEndpoint({ services: [createS3Service({ dataDir })] });
  s3 = new S3Client({ endpoint: endpoint.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  s3?.destroy();
  await endpoint?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
/** Twenty quiet minutes of a campaign's conversions (score 1), then one more minute with `value` and `score`. */
function input(minute: number, value: number, score: number) {
  const points = Array.from({ length: minute }, (_, m) => ({ at: at(m), value: 10, expected: 10 }));
  points.push({ at: at(minute), value, expected: 10 });
  const scores = [...Array.from({ length: minute }, (_, m) => ({ score: 1 + 0.01 * (m % 3) })), { score }];
  return { step: "decide" as const, series: [{ metric: "conversions", dimension: "spring-sale", points }], body: JSON.stringify({ scores }), detectedAt: at(minute + 1) };
}

/** The lake store, with `between` run once after the next read (the other run's whole decision). */
function interleaved(store: StateStore, between: () => Promise<unknown>): StateStore & { reads: number } {
  let pending: (() => Promise<unknown>) | undefined = between;
  const wrapped = {
    reads: 0,
    async read() {
      const read = await store.read();
      wrapped.reads++;
      const hook = pending;
      pending = undefined;
      if (hook) await hook();
      return read;
    },
    write: (states: Record<string, SeriesState>, version: string | undefined) => store.write(states, version),
  };
  return wrapped;
}

describe("the anomaly state's conditional writes", () => {
  it("alert an incident once when two runs decide the same minutes at the same time", async () => {
    const store = lakeStateStore(s3, bucket);
    await decide(input(20, 10, 1), store); // history: no alert, the state exists
    let other: Awaited<ReturnType<typeof decide>> | undefined;
    const racing = interleaved(store, async () => (other = await decide(input(21, 0, 50), store)));
    const mine = await decide(input(21, 0, 50), racing);
    expect(racing.reads).toBe(2); // its first write was refused; it read again
    expect(other!.alerts.map((a) => a.attributes.kind)).toEqual(["anomaly"]);
    expect(mine.alerts).toEqual([]); // the minute was already decided by the other run
    const state = JSON.parse((await readTextIfExists(s3, bucket, ANOMALY_STATE_KEY))!) as Record<string, SeriesState>;
    expect(state["conversions|spring-sale"]!.incident).toMatchObject({ direction: "drop", openedAt: at(21) });
  });

  it("refuse a second first write: two runs creating the state cannot both win", async () => {
    const fresh = "lake-fresh";
    await s3.send(new CreateBucketCommand({ Bucket: fresh }));
    const store = lakeStateStore(s3, fresh);
    const { states, version } = await store.read();
    expect(version).toBeUndefined();
    expect(await store.write(states, undefined)).toBe(true);
    expect(await store.write(states, undefined)).toBe(false);
    // S3's ETag is the content's MD5: each write below changes the content.
    const read = await store.read();
    expect(await store.write({ a: { version: 1, scores: [1] } }, read.version)).toBe(true);
    expect(await store.write({ a: { version: 1, scores: [2] } }, read.version)).toBe(false);
  });

  it("give up with a typed error when the state keeps changing under a run", async () => {
    const always: StateStore = { read: async () => ({ states: {}, version: "1" }), write: async () => false };
    await expect(decide(input(20, 10, 1), always)).rejects.toThrow(AnomalyStateConflictError);
  });
});
