import { MIGRATIONS, migrationChecksum, MigrationDriftError, type Migration } from "@freshet/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { applyMigrations } from "../src/load/migrations.ts";
import { lambdaContext } from "../../local/src/lambda/context.ts";
import { startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/**
 * Migrations through the Data API on the local DuckDB warehouse: applied, recorded, repeatable.
 * Each test gets a warehouse of its own; those after the first start from one already migrated.
 */
let h: WarehouseHarness;
beforeEach(async () => {
  h = await startWarehouseHarness();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.stop();
});

/** A warehouse at the newest migration, as a deploy leaves it. */
async function migrated(): Promise<void> {
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
}

const newest = Math.max(...MIGRATIONS.map((m) => m.version));

describe("migrate", () => {
  it("applies every migration through the handler and records each with its checksum", async () => {
    const env = {
      AWS_ENDPOINT_URL: h.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "test" }),
      SST_RESOURCE_Warehouse: JSON.stringify({ type: "sst.sst.Linkable", workgroup: h.warehouse.workgroup, database: h.warehouse.database, copyRoleArn: "arn:aws:iam::000000000000:role/c" }),
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = (await import("../src/migrate.ts")) as unknown as { handler: (e: unknown, c: unknown) => Promise<{ applied: number[]; current: number }> };
    const report = await handler({}, lambdaContext({ name: "migrate", memoryMb: 256, timeoutMs: 300_000 }));
    expect(report).toEqual({ applied: MIGRATIONS.map((m) => m.version), current: newest });
    const recorded = await h.rows("SELECT version, checksum FROM schema_migrations ORDER BY version");
    expect(recorded.map(([v, c]) => [Number(v), String(c).trim()])).toEqual(MIGRATIONS.map((m) => [m.version, migrationChecksum(m)]));
    // The schema is really there: the tables a load writes and a dashboard view.
    expect(await h.rows("SELECT COUNT(*) FROM events")).toEqual([[0]]);
    expect(await h.rows("SELECT COUNT(*) FROM load_ledger")).toEqual([[0]]);
    expect(await h.rows("SELECT COUNT(*) FROM metric_freshness")).toHaveLength(1);
  });

  it("is a no-op the second time", async () => {
    await migrated();
    const before = await h.rows("SELECT version, applied_at FROM schema_migrations ORDER BY version");
    expect(await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 })).toEqual({ applied: [], current: newest });
    expect(await h.rows("SELECT version, applied_at FROM schema_migrations ORDER BY version")).toEqual(before);
  });

  it("applies only a new migration, and refuses an edited one", async () => {
    await migrated();
    const next: Migration = { version: newest + 1, name: "test_extra", statements: ["CREATE TABLE migrate_probe (id INTEGER NOT NULL)"] };
    expect(await applyMigrations(h.redshift, h.warehouse, [...MIGRATIONS, next], { firstPollMs: 5 })).toEqual({ applied: [newest + 1], current: newest + 1 });
    expect(await h.rows("SELECT COUNT(*) FROM migrate_probe")).toEqual([[0]]);
    const edited = { ...next, statements: ["CREATE TABLE migrate_probe2 (id INTEGER NOT NULL)"] };
    await expect(applyMigrations(h.redshift, h.warehouse, [...MIGRATIONS, edited], { firstPollMs: 5 })).rejects.toBeInstanceOf(MigrationDriftError);
  });

  it("rolls a failing migration back with its record", async () => {
    await migrated();
    const bad: Migration = { version: newest + 2, name: "test_bad", statements: ["CREATE TABLE migrate_half (id INTEGER)", "SELECT no_such_column FROM migrate_half"] };
    const next = { version: newest + 1, name: "test_extra", statements: ["CREATE TABLE migrate_probe (id INTEGER NOT NULL)"] };
    await expect(applyMigrations(h.redshift, h.warehouse, [...MIGRATIONS, next, bad], { firstPollMs: 5 })).rejects.toThrow(/FAILED/);
    expect(await h.rows(`SELECT COUNT(*) FROM schema_migrations WHERE version = ${newest + 2}`)).toEqual([[0]]);
    await expect(h.rows("SELECT COUNT(*) FROM migrate_half")).rejects.toThrow();
  });
});
