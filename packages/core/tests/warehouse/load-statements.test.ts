import { describe, expect, it } from "vitest";
import { buildLoadStatements, EVENT_COLUMNS, InvalidLoadRequestError, LOAD_SUMMARY_COLUMNS, MAX_BATCH_STATEMENTS, MIGRATIONS } from "@freshet/core";
import { checkRedshiftSql } from "./redshift-sql.ts";
import { loadRequestFixture } from "./support/load-request.ts";

const indexOf = (statements: string[], prefix: string): number => statements.findIndex((s) => s.startsWith(prefix));

describe("buildLoadStatements", () => {
  const statements = buildLoadStatements(loadRequestFixture());

  it("fits one BatchExecuteStatement and ends with the summary", () => {
    expect(statements.length).toBeLessThanOrEqual(MAX_BATCH_STATEMENTS);
    expect(statements.at(-1)).toBe(`SELECT ${LOAD_SUMMARY_COLUMNS.join(", ")} FROM load_summary`);
  });

  it("locks first, stages with (LIKE events), then COPYs the manifest with the role, as JSON auto, gzip", () => {
    expect(statements.slice(0, 2)).toEqual(["LOCK load_lock", "CREATE TEMP TABLE load_stage (LIKE events)"]);
    const copy = statements[indexOf(statements, "COPY")]!;
    expect(copy).toBe(
      "COPY load_stage FROM 's3://freshet-local-lake/manifests/load-20261126T0510Z.json'\n" +
        "IAM_ROLE 'arn:aws:iam::123456789012:role/freshet-ci-WarehouseCopyRole'\nMANIFEST\nFORMAT AS JSON 'auto'\nGZIP\nTIMEFORMAT 'auto'",
    );
    expect(buildLoadStatements(loadRequestFixture({ region: "eu-west-1" }))[indexOf(statements, "COPY")]).toMatch(/\nREGION 'eu-west-1'$/);
  });

  it("checks the ledger before the COPY and empties the stage when an object was already loaded", () => {
    const guard = indexOf(statements, "UPDATE load_objects SET already_loaded = TRUE");
    const copy = indexOf(statements, "COPY");
    const empty = indexOf(statements, "DELETE FROM load_stage");
    expect(guard).toBeGreaterThan(-1);
    expect(guard).toBeLessThan(copy);
    expect(empty).toBe(copy + 1);
    expect(statements[empty]).toContain("already_loaded");
    const ledger = statements[indexOf(statements, "INSERT INTO load_ledger")]!;
    expect(ledger).toContain("WHERE NOT EXISTS (SELECT 1 FROM load_objects WHERE already_loaded)");
  });

  it("dedupes within the batch and against events before inserting every lake column", () => {
    const dedupe = statements[indexOf(statements, "CREATE TEMPORARY TABLE load_new AS")]!;
    expect(dedupe).toContain("ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at ASC");
    expect(dedupe).toContain("WHERE copy_rank = 1");
    expect(dedupe).toContain("NOT EXISTS (SELECT 1 FROM events AS e WHERE e.event_id = ranked.event_id)");
    expect(dedupe).toContain("'load-20261126T0510Z'");
    const insert = statements[indexOf(statements, "INSERT INTO events")]!;
    expect(insert).toContain(`(${EVENT_COLUMNS.join(", ")}, loaded_at, load_id)`);
    expect(indexOf(statements, "INSERT INTO events")).toBeGreaterThan(indexOf(statements, "CREATE TEMPORARY TABLE load_new AS"));
  });

  it("writes one ledger row per object and one receipt row per (batch, window)", () => {
    const objects = statements[indexOf(statements, "INSERT INTO load_objects")]!;
    expect(objects.match(/^\('processed\//gm)).toHaveLength(2);
    expect(objects).toContain(`('processed/dt=2026-11-26/hr=05/shard-1-100-200.ndjson.gz', 1234, '"9b2cf535f27731c974343645a3985328"', 20, FALSE)`);
    expect(objects).toContain(`('processed/dt=2026-11-26/hr=04/shard-1-100-200.ndjson.gz', 321, NULL, NULL, FALSE)`);
    const receipts = statements[indexOf(statements, "INSERT INTO load_receipts")]!;
    expect(receipts).toContain("('shard-1-100-200', CAST('2026-11-26 04:00:00.000' AS TIMESTAMP), 3, 2, 1, 0, 0)");
    expect(receipts).toContain("('shard-1-100-200', CAST('2026-11-26 05:00:00.000' AS TIMESTAMP), 25, 22, 2, 1, 0)");
    expect(statements[indexOf(statements, "DELETE FROM load_receipts")]).toBe("DELETE FROM load_receipts WHERE batch_id IN (SELECT batch_id FROM batch_receipts)");
  });

  it("counts a receipt given twice once, and omits the receipt insert when there are none", () => {
    const fixture = loadRequestFixture();
    const twice = buildLoadStatements({ ...fixture, receipts: [...fixture.receipts!, ...fixture.receipts!] });
    expect(twice).toEqual(statements);
    const none = buildLoadStatements(loadRequestFixture({ receipts: [] }));
    expect(indexOf(none, "INSERT INTO load_receipts")).toBe(-1);
    expect(none.length).toBe(statements.length - 1);
  });

  it("declares load_summary with the loads table's columns, and returns them", () => {
    const columnsOf = (create: string): string => create.slice(create.indexOf("(") + 1, create.lastIndexOf(")"));
    const loads = MIGRATIONS.flatMap((m) => m.statements).find((s) => s.startsWith("CREATE TABLE IF NOT EXISTS loads ("))!;
    const summary = statements[indexOf(statements, "CREATE TEMPORARY TABLE load_summary")]!;
    expect(columnsOf(summary)).toBe(columnsOf(loads.slice(0, loads.lastIndexOf("SORTKEY"))));
    expect(columnsOf(summary).split(",\n").map((c) => c.trim().split(" ")[0])).toEqual([...LOAD_SUMMARY_COLUMNS]);
  });

  it("records the load with its interval and planned start", () => {
    const summary = statements[indexOf(statements, "INSERT INTO load_summary")]!;
    expect(summary).toContain("CASE WHEN EXISTS (SELECT 1 FROM load_objects WHERE already_loaded) THEN 'superseded' ELSE 'loaded' END");
    expect(summary).toContain("CAST('2026-11-26 05:10:00.000' AS TIMESTAMP)");
    expect(summary).toMatch(/\n {2}300,\n/);
    expect(summary).toMatch(/\n {2}2,\n/); // objects
  });

  it("refuses requests that would load wrongly", () => {
    const bad: [string, Parameters<typeof loadRequestFixture>[0]][] = [
      ["no objects and no receipts", { objects: [], receipts: [] }],
      ["duplicate object", { objects: [{ key: "processed/a", sizeBytes: 1 }, { key: "processed/a", sizeBytes: 1 }] }],
      ["load id with a quote", { loadId: "x'--" }],
      ["manifest not on S3", { manifestUrl: "/etc/passwd" }],
      ["role not an ARN", { iamRoleArn: "admin" }],
      ["bad region", { region: "eu-west-1'; --" }],
      ["zero interval", { intervalSeconds: 0 }],
      ["negative size", { objects: [{ key: "processed/a", sizeBytes: -1 }] }],
      ["receipt that does not add up", { receipts: [{ batch_id: "b", windows: [{ window: "2026-11-26T05", received: 3, processed: 1, filtered: 0, dead_lettered: 0 }] }] }],
      ["start without offset", { startedAt: "2026-11-26T05:00:00" }],
    ];
    for (const [name, overrides] of bad) expect(() => buildLoadStatements(loadRequestFixture(overrides)), name).toThrow();
    expect(() => buildLoadStatements(loadRequestFixture({ objects: [], receipts: [] }))).toThrow(InvalidLoadRequestError);
  });

  it("records receipts alone, without staging or COPY, when there are no objects", () => {
    const only = buildLoadStatements(loadRequestFixture({ objects: [] }));
    for (const prefix of ["COPY", "INSERT INTO load_objects", "DELETE FROM load_stage", "INSERT INTO events", "INSERT INTO load_ledger"]) {
      expect(indexOf(only, prefix), prefix).toBe(-1);
    }
    // The receipts, their accounting and the loads row are written as in a load with objects.
    for (const prefix of ["LOCK load_lock", "INSERT INTO load_receipts", "DELETE FROM load_receipts", "INSERT INTO batch_receipts", "CREATE TEMPORARY TABLE load_new AS", "CREATE TEMPORARY TABLE load_deltas AS", "UPDATE event_accounting", "INSERT INTO loads"]) {
      expect(only[indexOf(only, prefix)], prefix).toBe(statements[indexOf(statements, prefix)]);
    }
    expect(only[indexOf(only, "INSERT INTO load_summary")]).toMatch(/\n {2}0,\n/); // objects
    expect(only.at(-1)).toBe(statements.at(-1));
    for (const sql of only) expect(() => checkRedshiftSql(sql), sql).not.toThrow();
  });

  it("loads objects no receipt accounts for without touching event_accounting, and refuses receipts with them", () => {
    const unaccounted = buildLoadStatements(loadRequestFixture({ receipts: [], unaccounted: true }));
    for (const prefix of ["CREATE TEMPORARY TABLE load_deltas AS", "INSERT INTO event_accounting", "UPDATE event_accounting"]) {
      expect(indexOf(unaccounted, prefix), prefix).toBe(-1);
    }
    // Loaded, deduped, in the ledger and the loads row as any load.
    for (const prefix of ["COPY", "INSERT INTO events", "INSERT INTO load_ledger", "INSERT INTO loads"]) {
      expect(unaccounted[indexOf(unaccounted, prefix)], prefix).toBe(statements[indexOf(statements, prefix)]);
    }
    expect(unaccounted.at(-1)).toBe(statements.at(-1));
    for (const sql of unaccounted) expect(() => checkRedshiftSql(sql), sql).not.toThrow();
    expect(() => buildLoadStatements(loadRequestFixture({ unaccounted: true }))).toThrow(InvalidLoadRequestError);
  });

  it("refuses a load whose statements exceed the Data API's size limit", () => {
    const objects = Array.from({ length: 2000 }, (_, i) => ({ key: `processed/dt=2026-11-26/hr=05/shard-000000000001-${i}.ndjson.gz`, sizeBytes: 1000 }));
    expect(() => buildLoadStatements(loadRequestFixture({ objects }))).toThrow(/100000/);
    expect(() => buildLoadStatements(loadRequestFixture({ objects: objects.slice(0, 500) }))).not.toThrow();
  });

  it("says why it refuses, in a field callers branch on", () => {
    const reasonOf = (overrides: Parameters<typeof loadRequestFixture>[0]): unknown => {
      try {
        buildLoadStatements(loadRequestFixture(overrides));
      } catch (error) {
        return error instanceof InvalidLoadRequestError ? error.reason : error;
      }
      return undefined;
    };
    const objects = Array.from({ length: 2000 }, (_, i) => ({ key: `processed/dt=2026-11-26/hr=05/shard-000000000001-${i}.ndjson.gz`, sizeBytes: 1000 }));
    expect(reasonOf({ objects })).toBe("statement_too_long");
    expect(reasonOf({ objects: [], receipts: [] })).toBe("empty");
    expect(reasonOf({ loadId: "x'--" })).toBe("invalid_field");
    expect(reasonOf({ objects: [{ key: "processed/a", sizeBytes: 1 }, { key: "processed/a", sizeBytes: 1 }] })).toBe("duplicate_object");
    expect(reasonOf({ receipts: [{ batch_id: "b", windows: [{ window: "2026-11-26T05", received: 3, processed: 1, filtered: 0, dead_lettered: 0 }] }] })).toBe("inconsistent_receipt");
  });
});
