import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { MIGRATIONS } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBatch } from "../src/load/data-api.ts";
import { RECEIPT_GRACE_MS } from "../src/load/listing-work.ts";
import { applyMigrations } from "../src/load/migrations.ts";
import { MAX_PLAN_BYTES, planLoad } from "../src/load/plan.ts";
import type { LoadPlan, PlannerDeps } from "../src/load/types.ts";
import { writeGeneratedLake } from "../../local/tests/warehouse/lake-writer.ts";
import { COPY_ROLE, startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/**
 * Step Functions refuses a state's input or output over 262,144 bytes of UTF-8 (API reference,
 * StateEnteredEventDetails.input / TaskScheduledEventDetails.parameters: "Maximum length of
 * 262144"); the Load workflow keeps the planner's whole result and passes its sqls on.
 */
const STATE_PAYLOAD_BYTES = 262_144;

let h: WarehouseHarness;
let deps: PlannerDeps;
const now = new Date();

beforeAll(async () => {
  h = await startWarehouseHarness();
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
  // Past the receipt grace period: no object waits for a receipt.
  const later = new Date(now.getTime() + RECEIPT_GRACE_MS + 1000);
  deps = { s3: h.s3, redshift: h.redshift, bucket: h.bucket, warehouse: h.warehouse, copyRoleArn: COPY_ROLE, now: () => later, queryOptions: { firstPollMs: 5 } };
});
afterAll(() => h?.stop());

/** What the Load workflow does with a plan: run its batch, then delete its in-flight claim. */
async function load(plan: LoadPlan): Promise<void> {
  await executeBatch(h.redshift, h.warehouse, plan.sqls, `test-${plan.loadId}`, { firstPollMs: 5 });
  await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: plan.claimKey as string }));
}

describe("the plan's size", () => {
  it("stays within what a Step Functions state carries with long keys and many receipts, and every object loads over the next runs", async () => {
    // Kinesis shard ids run to 128 characters, and a batch id (in every key and receipt row) carries
    // its shard's; batches of two events give nearly one receipt per object. Under 280 objects the
    // objects' and receipts' rows each fit one Data API statement (100,000 characters), but with the
    // load-errors query the plan is well over 262,144 bytes.
    const lake = await writeGeneratedLake(h.s3, h.bucket, { count: 1200, now, seed: 21, batchSize: 2, shardId: `shardId-${"7".repeat(120)}` });
    const sizes: number[] = [];
    for (let run = 0; run < 20; run++) {
      // Both work sources: the listing (reconciliation) and the unrecorded receipts.
      const plan = await planLoad(deps, { maxObjects: 280, startedAt: now.toISOString(), reconcile: run % 2 === 0, executionName: `run-${run}` });
      if (plan.objects === 0 && plan.receipts === 0) break;
      sizes.push(Buffer.byteLength(JSON.stringify(plan), "utf8"));
      await load(plan);
    }
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_PLAN_BYTES);
    expect(MAX_PLAN_BYTES).toBeLessThan(STATE_PAYLOAD_BYTES);
    const loaded = (await h.rows("SELECT object_key FROM load_ledger ORDER BY object_key")).map((r) => r[0]);
    expect(loaded).toEqual([...lake.processedKeys].sort());
    const recorded = await h.rows("SELECT COUNT(DISTINCT batch_id) FROM batch_receipts");
    expect(Number(recorded[0]?.[0])).toBe(lake.receiptKeys.length);
  }, 120_000);
});
