import { ExecuteStatementCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { MIGRATIONS } from "@freshet/core";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBatch } from "../src/load/data-api.ts";
import { applyMigrations } from "../src/load/migrations.ts";
import { planLoad } from "../src/load/plan.ts";
import { RecordedBatches } from "../src/load/recorded-batches.ts";
import type { LoadPlan, PlannerDeps } from "../src/load/types.ts";
import { writeGeneratedLake } from "../../local/tests/warehouse/lake-writer.ts";
import { COPY_ROLE, startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/*
 * A warm planner remembers the batches it saw recorded and asks the warehouse only about the
 * others; on the real local S3 and Data API, with the planner's SQL recorded as it is sent.
 */

let h: WarehouseHarness;
let redshift: RedshiftDataClient;
const sent: string[] = [];
const start = new Date();
let clock = start;

beforeAll(async () => {
  h = await startWarehouseHarness();
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
  redshift = dataApiClient();
  redshift.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === ExecuteStatementCommand.name) sent.push((args.input as { Sql: string }).Sql);
      return next(args);
    },
    { step: "initialize", name: "recordSql" },
  );
});
afterAll(async () => {
  redshift?.destroy();
  await h?.stop();
});

const dataApiClient = () => new RedshiftDataClient({ endpoint: h.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

/** A planner's dependencies on the harness, with `memo` as its recorded batches and the SQL-recording client unless told. */
function plannerDeps(memo: RecordedBatches, client: RedshiftDataClient = redshift): PlannerDeps {
  return { s3: h.s3, redshift: client, bucket: h.bucket, warehouse: h.warehouse, copyRoleArn: COPY_ROLE, now: () => clock, queryOptions: { firstPollMs: 5 }, recordedBatches: memo };
}

const planOnce = (deps: PlannerDeps, maxObjects = 200) => planLoad(deps, { maxObjects, startedAt: clock.toISOString(), reconcile: false });

/** The batch ids the run asked `batch_receipts` about, sorted. */
function askedAbout(sqls: readonly string[]): string[] {
  return sqls
    .filter((sql) => sql.includes("FROM batch_receipts WHERE batch_id IN ("))
    .flatMap((sql) => [...sql.matchAll(/'([^']+)'/g)].map((m) => m[1]!))
    .sort();
}

async function plan(deps: PlannerDeps): Promise<{ plan: LoadPlan; asked: string[] }> {
  sent.length = 0;
  const result = await planOnce(deps);
  return { plan: result, asked: askedAbout(sent) };
}

async function load(plan: LoadPlan): Promise<void> {
  await executeBatch(h.redshift, h.warehouse, plan.sqls, `test-${plan.loadId}`, { firstPollMs: 5 });
  await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: plan.claimKey! }));
}

describe("a warm planner's recorded batches", () => {
  it("are not asked about again until they expire; new receipts are, and load once", async () => {
    const memo = new RecordedBatches({ ttlMs: 60_000 });
    const deps = plannerDeps(memo);
    const first = await writeGeneratedLake(h.s3, h.bucket, { count: 900, now: start, seed: 41, batchSize: 300 });
    const firstBatches = first.receiptKeys.map((k) => k.slice(k.lastIndexOf("/") + 1, -".json".length)).sort();
    expect(firstBatches).toHaveLength(3);

    // Nothing recorded yet: asked about every batch; then loaded.
    let run = await plan(deps);
    expect(run.asked).toEqual(firstBatches);
    expect(run.plan.loadId).not.toBeNull();
    await load(run.plan);

    // The next run sees them recorded, and remembers: nothing to load.
    run = await plan(deps);
    expect(run.asked).toEqual(firstBatches);
    expect(run.plan.loadId).toBeNull();
    expect(memo.size).toBe(3);

    // A new batch lands: only it is asked about, and it loads.
    const second = await writeGeneratedLake(h.s3, h.bucket, { count: 300, now: start, seed: 42, batchSize: 300 });
    const secondBatch = second.receiptKeys.map((k) => k.slice(k.lastIndexOf("/") + 1, -".json".length));
    run = await plan(deps);
    expect(run.asked).toEqual(secondBatch);
    expect(run.plan.receipts).toBe(1);
    await load(run.plan);
    run = await plan(deps);
    expect(run.asked).toEqual(secondBatch);
    expect(run.plan.loadId).toBeNull();
    run = await plan(deps);
    expect(run.asked).toEqual([]);
    expect(run.plan.loadId).toBeNull();

    // Past the time to live, every batch is asked about again (a warehouse restored from an older
    // snapshot would have lost some): still nothing to load.
    clock = new Date(start.getTime() + 61_000);
    run = await plan(deps);
    expect(run.asked).toEqual([...firstBatches, ...secondBatch].sort());
    expect(run.plan.loadId).toBeNull();
    expect(await h.rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[first.eventIds.size + second.eventIds.size, first.eventIds.size + second.eventIds.size]]);
  });
});

describe("a planner's lookups", () => {
  const batchIds = (keys: readonly string[]) => keys.map((k) => k.slice(k.lastIndexOf("/") + 1, -".json".length)).sort();

  it("asks about the objects of the receipts it does not know while it asks which batches are recorded", async () => {
    later();
    const memo = new RecordedBatches({ ttlMs: 60_000 });
    const gated = dataApiClient();
    // The batch_receipts lookup is held until the load_ledger lookup has been sent: a planner
    // that waited for the first to send the second would never send it, and fail.
    let ledgerAsked!: () => void;
    const ledgerLookup = new Promise<void>((resolve) => (ledgerAsked = resolve));
    gated.middlewareStack.add(
      (next, context) => async (args) => {
        const sql = context.commandName === ExecuteStatementCommand.name ? (args.input as { Sql: string }).Sql : "";
        if (sql.includes("FROM load_ledger WHERE object_key IN (")) ledgerAsked();
        if (sql.includes("FROM batch_receipts WHERE batch_id IN (")) {
          await Promise.race([ledgerLookup, sleep(5_000).then(() => Promise.reject(new Error("the ledger lookup waited for the batch_receipts one")))]);
        }
        return next(args);
      },
      { step: "initialize", name: "gate" },
    );
    try {
      await drain(plannerDeps(memo));
      const written = await writeGeneratedLake(h.s3, h.bucket, { count: 300, now: clock, seed: 43, batchSize: 300 });
      const run = await planOnce(plannerDeps(memo, gated));
      expect(run.receipts).toBe(1);
      expect(run.loadId).not.toBeNull();
      await load(run);
      expect(await h.rows(`SELECT COUNT(*) FROM events WHERE event_id IN (${idList(written.eventIds)})`)).toEqual([[written.eventIds.size]]);
    } finally {
      gated.destroy();
    }
  });

  it("right after a load, drops the batches it just recorded from what it read ahead, and asks the ledger once", async () => {
    const memo = new RecordedBatches({ ttlMs: 600_000 });
    // The memo does not know yet that the two loaded batches are recorded: the next plan reads them ahead.
    const { loaded, fresh, run } = await loadTwoThenPlanANewOne(memo, memo, 46);
    expect(run.asked).toEqual([...batchIds(loaded.receiptKeys), ...batchIds(fresh.receiptKeys)].sort());
    expect(sent.filter((sql) => sql.includes("FROM load_ledger WHERE object_key IN ("))).toHaveLength(1);
    expect(run.plan.receipts).toBe(1);
    await load(run.plan);
    await expectEachLoadedOnce(loaded.eventIds, fresh.eventIds);
  });

  it("tops up from the receipts after what it read ahead when recorded ones filled it", async () => {
    later();
    const deps = plannerDeps(new RecordedBatches());
    await drain(deps);
    // Small loads: the two recorded batches alone fill what is read ahead for a bound of 10 objects.
    await writeGeneratedLake(h.s3, h.bucket, { count: 600, now: clock, seed: 48, batchSize: 300 });
    await load(await planOnce(deps));
    const fresh = await writeGeneratedLake(h.s3, h.bucket, { count: 300, now: clock, seed: 49, batchSize: 300 });
    const run = await planOnce(plannerDeps(new RecordedBatches()), 10);
    expect(run.receipts).toBe(1);
    expect(run.objects).toBeGreaterThan(0);
    await load(run);
    expect(await h.rows(`SELECT COUNT(*) FROM events WHERE event_id IN (${idList(fresh.eventIds)})`)).toEqual([[fresh.eventIds.size]]);
  });

  it("with no memo, plans only the unrecorded batch among those it read ahead", async () => {
    // A cold planner (no memo) finds the two recorded receipts before the new one: what it read
    // ahead is not the work, and it plans the new batch alone.
    const { loaded, fresh, run } = await loadTwoThenPlanANewOne(new RecordedBatches({ ttlMs: 600_000 }), new RecordedBatches(), 44);
    expect(run.asked).toEqual(expect.arrayContaining([...batchIds(loaded.receiptKeys), ...batchIds(fresh.receiptKeys)]));
    expect(run.plan.receipts).toBe(1);
    await load(run.plan);
    await expectEachLoadedOnce(loaded.eventIds, fresh.eventIds);
  });
});

/**
 * From a drained lake: two batches land and are planned and loaded with `loading`'s memo, then a
 * third lands (seeds `seed`, `seed + 1`) and is planned with `planning`'s.
 */
async function loadTwoThenPlanANewOne(loading: RecordedBatches, planning: RecordedBatches, seed: number) {
  later();
  await drain(plannerDeps(loading));
  const loaded = await writeGeneratedLake(h.s3, h.bucket, { count: 600, now: clock, seed, batchSize: 300 });
  const first = await plan(plannerDeps(loading));
  expect(first.plan.receipts).toBe(2);
  await load(first.plan);
  const fresh = await writeGeneratedLake(h.s3, h.bucket, { count: 300, now: clock, seed: seed + 1, batchSize: 300 });
  return { loaded, fresh, run: await plan(plannerDeps(planning)) };
}

function later(): void {
  clock = new Date(clock.getTime() + 120_000);
}

const idList = (ids: Iterable<string>) => [...ids].map((id) => `'${id}'`).join(", ");

/** Every event of these sets is in `events`, once. */
async function expectEachLoadedOnce(...sets: ReadonlySet<string>[]): Promise<void> {
  const total = sets.reduce((n, set) => n + set.size, 0);
  expect(await h.rows(`SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events WHERE event_id IN (${sets.map(idList).join(", ")})`)).toEqual([[total, total]]);
}

/** Loads whatever is waiting, so a test starts from a lake with every receipt recorded. */
async function drain(deps: PlannerDeps): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const run = await planOnce(deps);
    if (run.loadId === null) return;
    await load(run);
  }
  throw new Error("the lake did not drain");
}

describe("RecordedBatches", () => {
  it("forgets ids after the time to live, and the oldest beyond its size", () => {
    const memo = new RecordedBatches({ ttlMs: 1000, maxEntries: 3 });
    memo.remember(["a", "b"], 0);
    memo.remember(["c"], 500);
    expect([memo.has("a", 999), memo.has("a", 1000), memo.has("c", 1499)]).toEqual([true, false, true]);
    memo.remember(["d"], 600);
    memo.remember(["e"], 700);
    expect(["a", "b", "c", "d", "e"].filter((id) => memo.has(id, 700))).toEqual(["c", "d", "e"]);
    // Seen again: kept from then on.
    memo.remember(["c"], 1400);
    expect(memo.has("c", 2000)).toBe(true);
    memo.remember([], 1800);
    expect(memo.size).toBe(1);
  });
});
