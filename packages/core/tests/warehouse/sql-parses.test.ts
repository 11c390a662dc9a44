import { describe, expect, it } from "vitest";
import {
  BOOTSTRAP_MIGRATOR_STATEMENTS,
  buildApplyMigrationStatements,
  buildAuditQuery,
  buildLedgerSinceQuery,
  buildHeldValuesQueries,
  buildLoadedObjectsQuery,
  buildRecordedBatchesQuery,
  buildLoadErrorsQuery,
  buildLoadStatements,
  buildRecentLoadsQuery,
  buildRollupRebuildStatements,
  CREATE_SCHEMA_MIGRATIONS,
  LOADED_OBJECT_KEYS,
  MIGRATIONS,
  SELECT_APPLIED_MIGRATIONS,
  SELECT_METRIC_FRESHNESS,
  analyzeSql,
  buildHealthQuery,
  vacuumSql,
  buildSeriesSql,
  buildPackedSeriesSql,
  buildAnomaliesInsert,
  buildAnomaliesListSql,
} from "@freshet/core";
import { checkRedshiftSql } from "./redshift-sql.ts";
import { loadRequestFixture } from "./support/load-request.ts";

describe("every SQL text Freshet sends parses as Redshift SQL", () => {
  const texts: [string, string][] = [
    ["schema_migrations", CREATE_SCHEMA_MIGRATIONS],
    ...BOOTSTRAP_MIGRATOR_STATEMENTS.map((s, i): [string, string] => [`bootstrap ${i}`, s]),
    ["applied migrations", SELECT_APPLIED_MIGRATIONS],
    ...MIGRATIONS.flatMap((m) => buildApplyMigrationStatements(m).map((s, i): [string, string] => [`migration ${m.version}.${i}`, s])),
    ...buildLoadStatements(loadRequestFixture()).map((s, i): [string, string] => [`load ${i}`, s]),
    ...buildRollupRebuildStatements({ from: "2026-11-26T05:00:00Z", to: "2026-11-27T00:00:00Z" }).map((s, i): [string, string] => [`rollup rebuild ${i}`, s]),
    ["loaded objects", buildLoadedObjectsQuery(["processed/dt=2026-11-26/hr=05/a.ndjson.gz", "processed/dt=2026-11-26/hr=05/b.ndjson.gz"])],
    ["recorded batches", buildRecordedBatchesQuery(["shard-1-100-200", "shard-1-200-300"])],
    ...buildHeldValuesQueries(LOADED_OBJECT_KEYS, Array.from({ length: 501 }, (_, i) => `processed/dt=2026-11-26/hr=05/${i}.ndjson.gz`)).map((s, i): [string, string] => [`loaded objects, chunk ${i}`, s]),
    ["ledger since", buildLedgerSinceQuery("2026-11-26T05:00:00Z")],
    ["load errors", buildLoadErrorsQuery({ queryId: 42, fileUrls: ["s3://lake/processed/x.ndjson.gz"], since: "2026-11-26T05:00:00Z" })],
    ["audit", buildAuditQuery({ from: "2026-11-26T00:00:00Z", to: "2026-11-27T00:00:00Z" })],
    ["audit, all", buildAuditQuery()],
    ["recent loads", buildRecentLoadsQuery()],
    ["freshness", SELECT_METRIC_FRESHNESS],
    ["maintenance health", buildHealthQuery()],
    ["vacuum sort", vacuumSql("vacuum-sort", "events", 95).sql],
    ["vacuum delete", vacuumSql("vacuum-delete", "load_lock", 100).sql],
    ["vacuum full", vacuumSql("vacuum-full", "loads", 100).sql],
    ["analyze", analyzeSql("events").sql],
    // Data API parameters (:name) are bound by the Data API; the parser sees their values.
    ["anomaly series", buildSeriesSql().replaceAll(":window_from", "'2026-11-26 05:00:00'").replaceAll(":window_until", "'2026-11-26 06:00:00'")],
    ["anomaly series, packed", buildPackedSeriesSql().replaceAll(":window_from", "'2026-11-26 05:00:00'").replaceAll(":window_until", "'2026-11-26 06:00:00'")],
    ["anomalies list", buildAnomaliesListSql("2026-11-26T05:00:00Z")],
    [
      "anomalies insert",
      buildAnomaliesInsert(
        [
          {
            kind: "anomaly",
            incidentId: "conversions:spring:2026-11-26T05:00:00.000Z",
            metric: "conversions",
            dimension: "spring",
            direction: "drop",
            expected: 10,
            observed: 0,
            score: 3.5,
            threshold: 1.9,
            windowStart: "2026-11-26T05:00:00.000Z",
            windowEnd: "2026-11-26T05:00:00.000Z",
          },
        ],
        "2026-11-26T05:02:00.000Z",
        "arn:aws:states:us-east-1:1:execution:x:y",
      )!,
    ],
  ];
  it.each(texts)("%s", (_name, sql) => {
    expect(() => checkRedshiftSql(sql)).not.toThrow();
  });
});
