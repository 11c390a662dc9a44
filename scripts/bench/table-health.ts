import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, RedshiftDataClient, type DescribeStatementCommandOutput } from "@aws-sdk/client-redshift-data";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CREATE_EVENTS } from "../../packages/core/src/warehouse/tables.ts";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createRedshiftDataService } from "../../packages/local/src/redshift/index.ts";
import { againstGoal, format } from "./measure.ts";

const ROWS = 1_000_000;
/** A load appending this share of rows below the table's newest event time (late events). */
const LATE_EVERY = 10;
const TARGET = { WorkgroupName: "freshet", Database: "dev" } as const;
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
/** The Maintenance workflow reads SVV_TABLE_INFO once a run (and once a table after it acts). */
const HEALTH_GOAL = { op: "<", limit: 1, unit: "s" } as const;
const VACUUM_GOAL = { op: "<", limit: 10, unit: "s" } as const;
const HEALTH = `SELECT "table", unsorted, stats_off, tbl_rows, estimated_visible_rows, size FROM svv_table_info WHERE "table" = 'events'`;

/**
 * The local Data API's table health on Freshet's `events` table of a million rows, a tenth of
 * them appended out of sort-key order: reading SVV_TABLE_INFO (which measures unsorted rows with
 * one scan), then VACUUM SORT ONLY (a rewrite in sort-key order), then SVV_TABLE_INFO again.
 */
export async function benchTableHealth(): Promise<void> {
  console.log(`\nTable health (local Data API on DuckDB, Freshet's events table of ${format(ROWS)} rows, 1 in ${LATE_EVERY} appended late)`);
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-health-"));
  const redshift = createRedshiftDataService({ dataDir, s3: { endpointUrl: () => "http://127.0.0.1:1" } });
  const endpoint = await startEndpoint({ services: [redshift] });
  const client = new RedshiftDataClient({ endpoint: endpoint.url, region: "us-east-1", credentials, maxAttempts: 1 });
  try {
    await run(client, CREATE_EVENTS);
    await run(
      client,
      `INSERT INTO events (event_id, event_type, occurred_at, received_at, user_id, account_id, channel, revenue, properties, source_schema_version, schema_version)
       SELECT 'e-' || range, 'page_view',
              DATEADD(second, CASE WHEN range % ${LATE_EVERY} = 0 THEN range - 3600 ELSE range END, '2026-11-01 00:00:00'::timestamp),
              DATEADD(second, range, '2026-11-01 00:00:00'::timestamp), 'u-' || (range % 5000), 'a-1', 'web', NULL, JSON_PARSE('{"plan":"pro"}'), 2, 2
       FROM range(${ROWS})`,
    );
    const [before, beforeSeconds] = await timed(() => health(client));
    const [, vacuumSeconds] = await timed(() => run(client, "VACUUM SORT ONLY events"));
    const [after, afterSeconds] = await timed(() => health(client));
    console.log(`  SVV_TABLE_INFO, unsorted ${before.padEnd(6)}             ${againstGoal(beforeSeconds, HEALTH_GOAL, 3)}`);
    console.log(`  VACUUM SORT ONLY events                     ${againstGoal(vacuumSeconds, VACUUM_GOAL, 2)}   ${format(ROWS / vacuumSeconds)} rows/s`);
    console.log(`  SVV_TABLE_INFO after, unsorted ${after.padEnd(6)}       ${againstGoal(afterSeconds, HEALTH_GOAL, 3)}`);
  } finally {
    client.destroy();
    await endpoint.close();
    await redshift.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `unsorted` of events, as SVV_TABLE_INFO reports it. */
async function health(client: RedshiftDataClient): Promise<string> {
  const done = await run(client, HEALTH);
  const result = await client.send(new GetStatementResultCommand({ Id: done.Id }));
  return result.Records?.[0]?.[1]?.stringValue ?? "?";
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, (performance.now() - started) / 1000];
}

/** Runs one statement to its end; throws unless it FINISHED. */
async function run(client: RedshiftDataClient, sql: string): Promise<DescribeStatementCommandOutput> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: sql }));
  for (;;) {
    const out = await client.send(new DescribeStatementCommand({ Id }));
    if (out.Status === "FINISHED") return out;
    if (out.Status === "FAILED" || out.Status === "ABORTED") throw new Error(`${out.Status}: ${out.Error}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTableHealth();
