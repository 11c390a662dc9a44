import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { MIGRATIONS } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBatch } from "../src/load/data-api.ts";
import { batchIdOfKey, type CopyManifest } from "../src/load/manifest.ts";
import { applyMigrations } from "../src/load/migrations.ts";
import { planLoad } from "../src/load/plan.ts";
import { RECEIPT_LATENESS_MS } from "../src/load/receipt-work.ts";
import { PLANNER_STATE_KEY } from "../src/load/receipts-watermark.ts";
import type { LoadPlan, PlannerDeps } from "../src/load/types.ts";
import { writeGeneratedLake, type WrittenLake } from "../../local/tests/warehouse/lake-writer.ts";
import { COPY_ROLE, startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/** Planning from the unrecorded batch receipts (the planner's every-run path), on the real local S3 and Data API. */
let h: WarehouseHarness;
let deps: PlannerDeps;
const now = new Date();
const RECEIPTS = { reconcile: false } as const;

beforeAll(async () => {
  h = await startWarehouseHarness();
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
  deps = { s3: h.s3, redshift: h.redshift, bucket: h.bucket, warehouse: h.warehouse, copyRoleArn: COPY_ROLE, now: () => now, queryOptions: { firstPollMs: 5 } };
});
afterAll(() => h?.stop());

async function receiptsOf(prefix = "receipts/"): Promise<Map<string, string[]>> {
  const listed = await h.s3.send(new ListObjectsV2Command({ Bucket: h.bucket, Prefix: prefix }));
  const out = new Map<string, string[]>();
  for (const o of listed.Contents ?? []) {
    const body = await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: o.Key! }))).Body!.transformToString();
    const r = JSON.parse(body) as { batch_id: string; objects: string[] };
    out.set(r.batch_id, r.objects.filter((k) => k.startsWith("processed/")));
  }
  return out;
}

async function load(plan: LoadPlan): Promise<void> {
  await executeBatch(h.redshift, h.warehouse, plan.sqls, `test-${plan.loadId}`, { firstPollMs: 5 });
  await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: plan.claimKey! }));
}

describe("planLoad from receipts", () => {
  let lake: WrittenLake;

  it("drains the lake in whole batches, each object and receipt once", async () => {
    lake = await writeGeneratedLake(h.s3, h.bucket, { count: 3000, now, seed: 21, batchSize: 300 });
    const batches = await receiptsOf();
    const seen = new Set<string>();
    let loads = 0;
    for (;;) {
      const plan = await planLoad(deps, { maxObjects: 5, startedAt: now.toISOString(), ...RECEIPTS });
      if (plan.loadId === null) break;
      expect(plan.via).toBe("receipts");
      const manifest = JSON.parse(await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: plan.manifestKey! }))).Body!.transformToString()) as CopyManifest;
      const keys = manifest.entries.map((e) => e.url.slice(`s3://${h.bucket}/`.length));
      // Whole batches: every batch an object belongs to is in the plan with all its objects.
      for (const id of new Set(keys.map(batchIdOfKey))) expect(batches.get(id)!.every((k) => keys.includes(k))).toBe(true);
      for (const k of keys) {
        expect(seen.has(k)).toBe(false);
        seen.add(k);
      }
      expect(manifest.entries.every((e) => e.meta.content_length > 0)).toBe(true);
      await load(plan);
      loads += 1;
      expect(loads).toBeLessThan(100);
    }
    expect([...seen].sort()).toEqual([...lake.processedKeys].sort());
    expect(await h.rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[lake.eventIds.size, lake.eventIds.size]]);
    const sums = (await h.rows("SELECT SUM(received), SUM(filtered), SUM(dead_lettered) FROM event_accounting"))[0]!.map(Number);
    expect(sums).toEqual([lake.totals.received, lake.totals.filtered, lake.totals.dead_lettered]);
    expect(Number((await h.rows("SELECT COUNT(DISTINCT batch_id) FROM batch_receipts"))[0]![0])).toBe(batches.size);
  });

  it("keeps looking in an old hour while it holds an unrecorded receipt, then moves the watermark on", async () => {
    const hours = (RECEIPT_LATENESS_MS + 3 * 3_600_000) / 3_600_000;
    const old = new Date(now.getTime() - hours * 3_600_000);
    const oldHour = old.toISOString().slice(0, 13);
    await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: PLANNER_STATE_KEY, Body: JSON.stringify({ receiptsFrom: oldHour }) }));
    // A batch that arrived hours ago, older than the lateness floor: only the watermark finds it.
    const late = await writeGeneratedLake(h.s3, h.bucket, { count: 200, now: old, seed: 22, batchSize: 200, shardId: "shardId-000000000003" });
    const plan = await planLoad(deps, { startedAt: now.toISOString(), ...RECEIPTS });
    expect(plan).toMatchObject({ via: "receipts", objects: late.processedKeys.length });
    const state = async () =>
      JSON.parse(await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: PLANNER_STATE_KEY }))).Body!.transformToString()) as { receiptsFrom: string };
    expect((await state()).receiptsFrom).toBe(oldHour);
    await load(plan);
    expect(await planLoad(deps, { startedAt: now.toISOString(), ...RECEIPTS })).toMatchObject({ loadId: null, objects: 0 });
    // Recorded: the watermark moves to the lateness floor.
    expect((await state()).receiptsFrom).toBe(new Date(now.getTime() - RECEIPT_LATENESS_MS).toISOString().slice(0, 13));
  });
});
