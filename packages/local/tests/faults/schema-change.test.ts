import { MIGRATIONS, type Migration } from "@freshet/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../../functions/src/load/migrations.ts";
import { FaultSwitch } from "../../src/faults/index.ts";
import { FaultPipeline, isLoadBatch } from "./harness.ts";

/**
 * Schema changes in flight, with test-only migrations appended after the released ones (which
 * stay untouched): a migration that adds a column to `events` between a batch's transform and
 * its load, and a migration run that fails halfway (its second migration's batch fails before
 * commit) and is retried. Each is driven by a hook; every valid event is then in `events` exactly
 * once with the audit balanced.
 */
const WAREHOUSE = { workgroup: "freshet-local", database: "freshet" };
const ADD_COLUMN: Migration = { version: 101, name: "test_events_add_column", statements: ["ALTER TABLE events ADD COLUMN test_region VARCHAR(32)"] };
const ADD_ANOTHER: Migration = { version: 102, name: "test_events_add_another", statements: ["ALTER TABLE events ADD COLUMN test_tier VARCHAR(16)"] };
const ADD_TABLE: Migration = {
  version: 103,
  name: "test_region_names",
  statements: ["CREATE TABLE IF NOT EXISTS test_region_names (region VARCHAR(32) NOT NULL, name VARCHAR(64))", "INSERT INTO test_region_names VALUES ('eu', 'Europe')"],
};

const faults = new FaultSwitch();
let pipeline: FaultPipeline;
let seed = 500;

beforeAll(async () => {
  pipeline = await FaultPipeline.start({ faults: faults.local });
}, 60_000);

afterEach(() => faults.clear());

afterAll(async () => {
  await pipeline?.stop();
});

const migrate = (migrations: readonly Migration[]) => applyMigrations(pipeline.clients.redshift, WAREHOUSE, [...MIGRATIONS, ...migrations], { firstPollMs: 5 });

async function columns(table: string): Promise<string[]> {
  return (await pipeline.rows(`SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY column_name`)).map((r) => String(r[0]));
}

describe("a schema change in flight", () => {
  it("a migration adding a column to events lands between the transform and the Load's COPY: the Load loads, the column NULL", async () => {
    await pipeline.ingest(300, seed++); // transformed: in the lake with receipts
    let migrated: number[] | undefined;
    faults.use({
      dataApi: {
        // The Load has planned its manifest; its COPY batch waits at the door while the column is added.
        beforeCall: (call) => {
          if (migrated || call.operation !== "BatchExecuteStatement" || !isLoadBatch(call.input)) return undefined;
          migrated = [];
          return migrate([ADD_COLUMN]).then((report) => void migrated!.push(...report.applied));
        },
      },
    });
    const outcome = await pipeline.load();
    expect(migrated).toEqual([ADD_COLUMN.version]);
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    expect(outcome.output).toMatchObject({ loaded: true, summary: { status: "loaded" } });
    expect(await columns("events")).toContain("test_region");
    expect(await pipeline.rows("SELECT COUNT(*) FROM events WHERE test_region IS NOT NULL")).toEqual([[0]]);
    faults.clear();
    await pipeline.loadUntilIdle();
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);

  it("a migration run that fails halfway (its second migration's batch fails before commit) is retried and succeeds", async () => {
    let failed = 0;
    faults.use({
      redshift: {
        beforeCommit: (batch) => {
          if (failed > 0 || batch.statementName !== `freshet-migrate-${ADD_TABLE.version}`) return undefined;
          failed += 1;
          return Promise.reject(new Error("injected: the connection dropped mid-migration"));
        },
      },
    });
    await expect(migrate([ADD_COLUMN, ADD_ANOTHER, ADD_TABLE])).rejects.toThrow();
    expect(failed).toBe(1);
    // Halfway: the first pending migration committed with its record; the failed one left nothing.
    const recorded = async () => (await pipeline.rows("SELECT version FROM schema_migrations WHERE version > 100 ORDER BY version")).map((r) => Number(r[0]));
    expect(await recorded()).toEqual([ADD_COLUMN.version, ADD_ANOTHER.version]);
    expect(await columns("events")).toContain("test_tier");
    expect(await columns("test_region_names")).toEqual([]);
    // Events keep flowing while the schema is half-migrated.
    await pipeline.ingest(200, seed++);
    expect((await pipeline.loadUntilIdle()).map((o) => o.status)).not.toContain("FAILED");
    faults.clear();
    expect(await migrate([ADD_COLUMN, ADD_ANOTHER, ADD_TABLE])).toEqual({ applied: [ADD_TABLE.version], current: ADD_TABLE.version });
    expect(await recorded()).toEqual([ADD_COLUMN.version, ADD_ANOTHER.version, ADD_TABLE.version]);
    expect(await pipeline.rows("SELECT region, name FROM test_region_names")).toEqual([["eu", "Europe"]]);
    expect(await migrate([ADD_COLUMN, ADD_ANOTHER, ADD_TABLE])).toEqual({ applied: [], current: ADD_TABLE.version });
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);
});
