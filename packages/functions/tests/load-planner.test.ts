import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { DEFAULT_PIPELINE_CONFIG, LOAD_SUMMARY_COLUMNS, MIGRATIONS, planBatch, type BatchReceipt, type StreamRecord } from "@freshet/core";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { executeBatch } from "../src/load/data-api.ts";
import { CLAIM_LEASE_MS } from "../src/load/claims.ts";
import { batchIdOfKey, type CopyManifest } from "../src/load/manifest.ts";
import { applyMigrations } from "../src/load/migrations.ts";
import { RECEIPT_GRACE_MS } from "../src/load/listing-work.ts";
import { planLoad } from "../src/load/plan.ts";
import type { LoadPlan, PlannerDeps } from "../src/load/types.ts";
import { lambdaContext } from "../../local/src/lambda/context.ts";
import { generateEvents } from "../../local/src/traffic/events.ts";
import { writeGeneratedLake, type WrittenLake } from "../../local/tests/warehouse/lake-writer.ts";
import { COPY_ROLE, startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/** The planner against the real local S3 and the DuckDB Data API on one endpoint. */
/** Plan by listing processed/ (the hourly reconciliation) or from unrecorded receipts: each test says which. */
const LISTING = { reconcile: true } as const;
const RECEIPTS = { reconcile: false } as const;
let h: WarehouseHarness;
let lake: WrittenLake;
const now = new Date();
let deps: PlannerDeps;

beforeAll(async () => {
  h = await startWarehouseHarness();
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
  deps = { s3: h.s3, redshift: h.redshift, bucket: h.bucket, warehouse: h.warehouse, copyRoleArn: COPY_ROLE, now: () => now, queryOptions: { firstPollMs: 5 } };
});
afterAll(() => h?.stop());

async function manifest(plan: LoadPlan): Promise<{ text: string; json: CopyManifest }> {
  const got = await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: plan.manifestKey as string }));
  const text = (await got.Body?.transformToString()) as string;
  return { text, json: JSON.parse(text) as CopyManifest };
}

/** What the transformer writes for a batch of only heartbeats and invalid events: no processed object. */
async function writeQuietBatch(seed: number): Promise<{ receipt: BatchReceipt }> {
  const encoder = new TextEncoder();
  const lines = generateEvents(600, now, seed).filter((g) => g.expected.kind !== "processed");
  const records: StreamRecord[] = lines.map((g, i) => ({
    data: encoder.encode(g.line),
    sequenceNumber: String(seed * 1_000_000_000 + i).padStart(56, "5"),
    partitionKey: `pk-${i % 7}`,
    arrivedAt: now,
  }));
  const plan = planBatch({ streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/freshet-local-Events", shardId: "shardId-000000000009", records }, DEFAULT_PIPELINE_CONFIG);
  expect(plan.objects.some((o) => o.kind === "processed")).toBe(false);
  for (const o of plan.objects) {
    await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: o.key, Body: o.gzip ? gzipSync(o.bytes) : o.bytes, ContentType: o.contentType }));
  }
  const receipt = { ...plan.receipt };
  plan.release();
  return { receipt };
}

/** What the Load workflow does with a plan: run its batch, then delete its in-flight claim. */
async function load(plan: LoadPlan): Promise<void> {
  await executeBatch(h.redshift, h.warehouse, plan.sqls, `test-${plan.loadId}`, { firstPollMs: 5 });
  await release(plan);
}

/** The workflow's ReleaseClaim step (also taken when a load fails). */
async function release(plan: LoadPlan): Promise<void> {
  await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: plan.claimKey as string }));
}

describe("planLoad", () => {
  it("has nothing to do on an empty lake and writes no manifest", async () => {
    const waiting: (Date | null)[] = [];
    const rows: number[] = [];
    const plan = await planLoad({ ...deps, onOldestWaiting: (d) => waiting.push(d), onRowsPlanned: (n) => rows.push(n) }, {});
    expect(plan).toMatchObject({ loadId: null, objects: 0, pending: 0, sqls: [] });
    // An idle pipeline reports nothing waiting (LoadLag 0) and no load.
    expect(waiting).toEqual([null]);
    expect(rows).toEqual([]);
    const listed = await h.s3.send(new ListObjectsV2Command({ Bucket: h.bucket, Prefix: "manifests/" }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it("plans the oldest pending objects, bounded, with a manifest of mandatory entries and their receipts", async () => {
    lake = await writeGeneratedLake(h.s3, h.bucket, { count: 3000, now, seed: 7, batchSize: 300 });
    const all = [...lake.processedKeys].sort();
    expect(all.length).toBeGreaterThan(12);
    const plan = await planLoad(deps, { maxObjects: 6, startedAt: now.toISOString(), ...LISTING });
    expect(plan).toMatchObject({ objects: 6, pending: all.length, deferred: 0, manifestKey: `manifests/${plan.loadId}.json`, via: "listing" });
    const { json } = await manifest(plan);
    expect(json.entries.map((e) => e.url)).toEqual(all.slice(0, 6).map((k) => `s3://${h.bucket}/${k}`));
    expect(json.entries.every((e) => e.mandatory === true && e.meta.content_length > 0)).toBe(true);
    expect(plan.bytes).toBe(json.entries.reduce((s, e) => s + e.meta.content_length, 0));
    expect(plan.receipts).toBe(new Set(all.slice(0, 6).map(batchIdOfKey)).size);
    // The Copy batch: core's statements, ending with the summary SELECT; the errors lookup names the files.
    expect(plan.sqls.at(-1)).toBe(`SELECT ${LOAD_SUMMARY_COLUMNS.join(", ")} FROM load_summary`);
    expect(plan.sqls.some((s) => s.startsWith(`COPY load_stage FROM 's3://${h.bucket}/${plan.manifestKey}'`))).toBe(true);
    expect(plan.loadErrorsSql).toContain(`s3://${h.bucket}/${all[0]}`);
    // The claim names exactly the planned objects and receipts, under manifests/in-flight/.
    expect(plan.claimKey).toBe(`manifests/in-flight/${plan.loadId}.direct.json`);
    const claim = JSON.parse((await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: plan.claimKey! }))).Body?.transformToString()) as string);
    expect(claim).toMatchObject({ loadId: plan.loadId, objects: all.slice(0, 6), executionName: null });
    expect(new Set(claim.receipts)).toEqual(new Set(all.slice(0, 6).map(batchIdOfKey)));
    await release(plan);
  });

  it("plans the same load id and manifest bytes again once the first run's claim is gone (a run that failed)", async () => {
    const a = await planLoad(deps, { maxObjects: 6, startedAt: now.toISOString(), ...RECEIPTS });
    const first = await manifest(a);
    await release(a);
    const b = await planLoad(deps, { maxObjects: 6, startedAt: now.toISOString(), ...RECEIPTS });
    expect(b.loadId).toBe(a.loadId);
    expect((await manifest(b)).text).toBe(first.text);
    await release(b);
  });

  it("reports when the oldest waiting object was written and the events its receipts count (the LoadLag and LoadRowsPlanned metrics)", async () => {
    const waiting: (Date | null)[] = [];
    const rows: number[] = [];
    const plan = await planLoad({ ...deps, onOldestWaiting: (d) => waiting.push(d), onRowsPlanned: (n) => rows.push(n) }, { maxObjects: 6, startedAt: now.toISOString(), ...LISTING });
    const objects = await h.s3.send(new ListObjectsV2Command({ Bucket: h.bucket, Prefix: "processed/" }));
    const oldest = Math.min(...(objects.Contents ?? []).map((o) => o.LastModified!.getTime()));
    expect(waiting).toEqual([new Date(oldest)]);
    // The planned receipts' processed counts: the rows the COPY stages before dedupe.
    const planned = new Set(JSON.parse((await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: plan.claimKey! }))).Body?.transformToString()) as string).receipts as string[]);
    let counted = 0;
    for (const key of lake.receiptKeys.filter((k) => planned.has(batchIdOfKey(k)))) {
      const receipt = JSON.parse((await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: key }))).Body?.transformToString()) as string) as BatchReceipt;
      counted += receipt.processed;
    }
    expect(counted).toBeGreaterThan(0);
    expect(rows).toEqual([counted]);
    await release(plan);
  });

  it("plans the next objects while a load is in flight, and the same ones once its claim lapses", async () => {
    const all = [...lake.processedKeys].sort();
    const running = await planLoad(deps, { maxObjects: 6, startedAt: now.toISOString(), ...LISTING });
    const next = await planLoad(deps, { maxObjects: 6, startedAt: now.toISOString(), ...LISTING });
    expect(next).toMatchObject({ objects: 6, inFlight: 6, pending: all.length - 6 });
    expect((await manifest(next)).json.entries.map((e) => e.url)).toEqual(all.slice(6, 12).map((k) => `s3://${h.bucket}/${k}`));
    // A claim older than the lease is a dead execution's: its objects are planned again.
    const afterLease = await planLoad({ ...deps, now: () => new Date(Date.now() + CLAIM_LEASE_MS + 1000) }, { maxObjects: 6, startedAt: now.toISOString(), ...LISTING });
    expect(afterLease).toMatchObject({ loadId: running.loadId, inFlight: 0 });
    await Promise.all([release(running), release(next)]);
  });

  it("of two runs planning at the same moment, one withdraws: no object is planned twice", async () => {
    for (let round = 0; round < 5; round++) {
      const plans = await Promise.all(["run-a", "run-b"].map((executionName) => planLoad(deps, { maxObjects: 6, startedAt: now.toISOString(), executionName, ...RECEIPTS })));
      const planned = plans.filter((p) => p.objects > 0);
      // Both may withdraw (each saw the other's claim); both planning is what must never happen.
      expect(planned.length).toBeLessThanOrEqual(1);
      expect(plans.some((p) => p.contended === true)).toBe(true);
      for (const p of plans) if (p.contended) expect(p).toMatchObject({ objects: 0, claimKey: null, loadId: null });
      await Promise.all(planned.map(release));
    }
  });

  it("skips objects the ledger holds once a load committed", async () => {
    const first = await planLoad(deps, { maxObjects: 6, ...LISTING });
    await load(first);
    const loaded = (await h.rows("SELECT object_key FROM load_ledger ORDER BY object_key")).map((r) => r[0]);
    expect(loaded).toEqual([...lake.processedKeys].sort().slice(0, 6));
    const second = await planLoad(deps, { maxObjects: 1000, ...LISTING });
    expect(second.loadId).not.toBe(first.loadId);
    const { json } = await manifest(second);
    expect(json.entries.map((e) => e.url)).toEqual([...lake.processedKeys].sort().slice(6).map((k) => `s3://${h.bucket}/${k}`));
    await load(second);
    expect(await planLoad(deps, LISTING)).toMatchObject({ objects: 0, pending: 0 });
    // Every kept event is in `events` exactly once, and every batch's receipt is counted once.
    expect(await h.rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[lake.eventIds.size, lake.eventIds.size]]);
    const sums = await h.rows("SELECT SUM(received), SUM(filtered), SUM(dead_lettered) FROM event_accounting");
    expect(sums.map((r) => r.map(Number))).toEqual([
      [lake.totals.received, lake.totals.filtered, lake.totals.dead_lettered],
    ]);
  });

  it("records the receipt of a batch that wrote no processed object, in a load without COPY, and the audit balances", async () => {
    const quiet = await writeQuietBatch(5);
    expect(quiet.receipt.processed).toBe(0);
    expect(quiet.receipt.filtered).toBeGreaterThan(0);
    const plan = await planLoad(deps, { startedAt: now.toISOString(), ...LISTING });
    expect(plan).toMatchObject({ objects: 0, receipts: 1, pending: 0, loadErrorsSql: null, manifestKey: `manifests/${plan.loadId}.json` });
    expect(plan.sqls.some((s) => s.startsWith("COPY"))).toBe(false);
    await load(plan);
    const recorded = await h.rows(`SELECT SUM(received), SUM(filtered), SUM(dead_lettered) FROM batch_receipts WHERE batch_id = '${quiet.receipt.batch_id}'`);
    expect(recorded.map((r) => r.map(Number))).toEqual([[quiet.receipt.received, quiet.receipt.filtered, quiet.receipt.dead_lettered]]);
    const sums = await h.rows("SELECT SUM(received), SUM(filtered), SUM(dead_lettered) FROM event_accounting");
    expect(sums.map((r) => r.map(Number))).toEqual([
      [lake.totals.received + quiet.receipt.received, lake.totals.filtered + quiet.receipt.filtered, lake.totals.dead_lettered + quiet.receipt.dead_lettered],
    ]);
    const statuses = await h.rows("SELECT DISTINCT status FROM audit_balance");
    expect(statuses.map((r) => r[0])).toEqual(["balanced"]);
    const loads = await h.rows(`SELECT status, objects FROM loads WHERE load_id = '${plan.loadId}'`);
    expect(loads.map((r) => [r[0], Number(r[1])])).toEqual([["loaded", 0]]);
    // Recorded: the next run has nothing to do.
    expect(await planLoad(deps, LISTING)).toMatchObject({ objects: 0, receipts: 0, loadId: null });
  });

  it("leaves objects without a receipt for a later run, then loads them after the grace period", async () => {
    const late = await writeGeneratedLake(h.s3, h.bucket, { count: 200, now, seed: 8, batchSize: 200, withoutReceipts: true, shardId: "shardId-000000000001" });
    const deferredPlan = await planLoad(deps, LISTING);
    expect(deferredPlan).toMatchObject({ objects: 0, pending: late.processedKeys.length, deferred: late.processedKeys.length });
    const reported: string[] = [];
    const later = new Date(Date.now() + RECEIPT_GRACE_MS + 1000);
    const plan = await planLoad({ ...deps, now: () => later, onMissingReceipt: (keys) => reported.push(...keys) }, { startedAt: now.toISOString(), ...LISTING });
    expect(plan).toMatchObject({ objects: late.processedKeys.length, receipts: 0, deferred: 0 });
    expect(reported.sort()).toEqual([...late.processedKeys].sort());
  });

  it("halves a batch whose statements would exceed the Data API's statement size", async () => {
    const many = await writeGeneratedLake(h.s3, h.bucket, { count: 1500, now, seed: 9, batchSize: 3, shardId: "shardId-000000000002" });
    const plan = await planLoad({ ...deps, now: () => new Date(Date.now() + RECEIPT_GRACE_MS + 1000) }, { maxObjects: 500, ...LISTING });
    expect(plan.objects).toBeGreaterThan(0);
    expect(plan.objects).toBeLessThan(Math.min(500, plan.pending));
    expect(Math.max(...plan.sqls.map((s) => s.length))).toBeLessThanOrEqual(100_000);
    expect(many.processedKeys.length).toBeGreaterThan(500);
  });
});

describe("load-planner handler", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("plans from its links (Lake, Warehouse) and AWS_ENDPOINT_URL", async () => {
    const env = {
      AWS_ENDPOINT_URL: h.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "test" }),
      SST_RESOURCE_Lake: JSON.stringify({ name: h.bucket }),
      SST_RESOURCE_Warehouse: JSON.stringify({ type: "sst.sst.Linkable", workgroup: h.warehouse.workgroup, database: h.warehouse.database, copyRoleArn: COPY_ROLE }),
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = (await import("../src/load-planner.ts")) as unknown as { handler: (e: unknown, c: unknown) => Promise<LoadPlan> };
    const plan = await handler({ maxObjects: 3, executionName: "t" }, lambdaContext({ name: "planner", memoryMb: 512, timeoutMs: 300_000 }));
    expect(plan.objects).toBe(3);
    expect(plan.sqls.some((s) => s.includes(`IAM_ROLE '${COPY_ROLE}'`))).toBe(true);
  });
});
