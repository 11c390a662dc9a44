import { describe, expect, it } from "vitest";
import {
  assertMigrationsOrdered,
  buildApplyMigrationStatements,
  DASHBOARD_VIEWS,
  migrationChecksum,
  MigrationDriftError,
  MIGRATIONS,
  pendingMigrations,
  type Migration,
} from "@freshet/core";

describe("MIGRATIONS", () => {
  it("are ordered and create the tables and views the pipeline uses", () => {
    expect(() => assertMigrationsOrdered(MIGRATIONS)).not.toThrow();
    const all = MIGRATIONS.flatMap((m) => m.statements).join("\n");
    for (const table of ["events", "load_ledger", "loads", "batch_receipts", "event_accounting"]) {
      expect(all).toContain(`CREATE TABLE IF NOT EXISTS ${table} (`);
    }
    for (const view of [...DASHBOARD_VIEWS, "user_sessions", "audit_balance", "metric_freshness"]) {
      expect(all).toContain(`CREATE OR REPLACE VIEW ${view} AS`);
    }
  });

  it("keep the checksums they were released with (SQL built from shared parts must not drift)", () => {
    // A warehouse records these when it applies a migration; any other value fails its next deploy.
    const released: Record<number, string> = {
      1: "8a5202169560a4d688401b44930de4a2a9c96702c82fe5439e085d0520fae476",
      2: "7015bba6013c7070f6347d93033bb51cc7abb71ffb0c7508b6370435376b16e3",
      3: "8034b1c097166307416e4c84b0a24a8e8e06785f599f42395733f2113a618390",
      4: "9a03c95ec2471b4921a408aaff41094622eb5b5f3f6a14e8040748007d006ea4",
      5: "a58b559a744df9d3ef4d50137848a2ef2643670f7d2f57f5894fa2f7da358fbc",
      6: "8611b771c34bdf567caca6b8405b1211ed3467422617d0875adece0cef56cc60",
      7: "a06fc0ed84ca7995683741cd58273d2fe11f55a6fd6f627ec06204e165b40ce6",
      8: "91805a1137ff29163ace28668e54ffb33dd611e652532bc7199b27c07af094fb",
      9: "75791336797c05285be2baddfaa6bf440b2e79c0c57590f49cc81b3c9b91d794",
      10: "c789d17a0d55f61d04f29aa0ba4949ffd735b8297cb7722dd02d980a05ea7fa1",
    };
    const current = Object.fromEntries(MIGRATIONS.filter((m) => m.version in released).map((m) => [m.version, migrationChecksum(m)]));
    expect(current).toEqual(released);
  });

  it("gives events its sort key, distribution key and load columns", () => {
    const events = MIGRATIONS[0]!.statements[0]!;
    expect(events).toMatch(/DISTKEY \(user_id\)\nSORTKEY \(occurred_at\)$/);
    expect(events).toContain("properties SUPER");
    expect(events).toContain("revenue DECIMAL(18,4)");
    expect(events).toContain("occurred_at TIMESTAMP NOT NULL");
    expect(events).toContain("loaded_at TIMESTAMP,");
    expect(events).toContain("load_id VARCHAR(128)\n");
  });
});

describe("pendingMigrations", () => {
  const applied = (ms: readonly Migration[]) => ms.map((m) => ({ version: m.version, checksum: migrationChecksum(m) }));

  it("returns what is not applied yet, in order", () => {
    expect(pendingMigrations([], MIGRATIONS).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(pendingMigrations(applied(MIGRATIONS.slice(0, 1)), MIGRATIONS).map((m) => m.version)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(pendingMigrations(applied(MIGRATIONS), MIGRATIONS)).toEqual([]);
  });

  it("accepts versions and checksums as the Data API returns them (strings, CHAR padding)", () => {
    const rows = MIGRATIONS.map((m) => ({ version: String(m.version) as unknown as number, checksum: `${migrationChecksum(m)} ` }));
    expect(pendingMigrations(rows, MIGRATIONS)).toEqual([]);
  });

  it("refuses an edited applied migration and a version the code does not know", () => {
    const edited = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, statements: [...m.statements, "SELECT 1"] } : m));
    expect(() => pendingMigrations(applied(MIGRATIONS.slice(0, 1)), edited)).toThrow(MigrationDriftError);
    expect(() => pendingMigrations([{ version: 999, checksum: "x" }], MIGRATIONS)).toThrow(/999/);
  });

  it("checksums change with any statement and not otherwise", () => {
    const m = MIGRATIONS[0]!;
    expect(migrationChecksum(m)).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum({ ...m, statements: [...m.statements] })).toBe(migrationChecksum(m));
    expect(migrationChecksum({ ...m, statements: m.statements.map((s, i) => (i === 0 ? `${s} ` : s)) })).not.toBe(migrationChecksum(m));
  });

  it("refuses an unordered list", () => {
    expect(() => assertMigrationsOrdered([MIGRATIONS[1]!, MIGRATIONS[0]!])).toThrow(MigrationDriftError);
    expect(() => assertMigrationsOrdered([{ version: 1, name: "x", statements: [] }])).toThrow(/no statements/);
  });
});

describe("buildApplyMigrationStatements", () => {
  it("runs the migration and records it once, in the same batch", () => {
    const m = MIGRATIONS[1]!;
    const statements = buildApplyMigrationStatements(m);
    expect(statements.slice(0, -1)).toEqual(m.statements);
    const record = statements.at(-1)!;
    expect(record).toContain(`SELECT 2, 'dashboard_views', '${migrationChecksum(m)}', GETDATE()`);
    expect(record).toContain("WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = 2)");
  });
});
