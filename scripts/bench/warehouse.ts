import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementCommandOutput,
} from "@aws-sdk/client-redshift-data";
import { buildApplyMigrationStatements, buildRollupRebuildStatements, CREATE_SCHEMA_MIGRATIONS, MIGRATIONS } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createRedshiftDataService } from "../../packages/local/src/redshift/index.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { format } from "./measure.ts";
import { timeLoad, type LoadTiming } from "./warehouse-load.ts";

const ROWS = 10_000_000;
const RUNS = 20;
const WARM_UPS = 1;
/** A query whose warm-up already takes this long is run fewer times, to keep the bench near 2 minutes. */
const SLOW_MS = 1000;
const SLOW_RUNS = 3;
/** Dashboards on 10 million rows: p95 under 20 ms (issue 12 tightened it from 50). */
const GOAL_MS = 20;
const DAYS = 30;
const TARGET = { WorkgroupName: "freshet-local", Database: "freshet" } as const;
/** The load measured for the cost of rollup maintenance: 50k new events, with and without it. */
const LOAD_ROWS = 50_000;
const ROLLUP_TABLES = ["campaign_rollup", "user_activity_hourly", "engagement_periods", "feature_usage_daily", "feature_daily", "feature_first_use", "attribution_credits", "attribution_daily"];

/**
 * 10 million events over the last 30 days, inserted in time order (as loads append them, so the
 * SORTKEY's zone maps hold), with skewed users (200,000; u = 200,000·x^1.3: the heaviest makes ~800 events a month),
 * 20,000 accounts, an event-type mix dominated by page views, 30 % of events attributed to 20
 * campaigns (skewed) × 3 ad groups × 2 ads × 5 keywords, 12 features, revenue on purchases.
 */
function generateSql(rows: number, end: Date): string {
  const start = new Date(end.getTime() - DAYS * 86_400_000);
  const startLiteral = `CAST('${start.toISOString().slice(0, 19).replace("T", " ")}' AS TIMESTAMP)`;
  const stepMicros = Math.floor((DAYS * 86_400_000_000) / rows);
  return `INSERT INTO events (event_id, event_type, occurred_at, received_at, user_id, account_id, campaign_id, ad_group_id, ad_id, keyword, channel, revenue, currency, properties, source_schema_version, schema_version, loaded_at, load_id)
SELECT
  'e-' || i,
  event_type,
  occurred_at,
  occurred_at + to_seconds(2),
  'u-' || u,
  'a-' || (u % 20000),
  CASE WHEN attributed THEN 'c-' || c END,
  CASE WHEN attributed THEN 'c-' || c || '-g' || (h % 3) END,
  CASE WHEN attributed THEN 'c-' || c || '-g' || (h % 3) || '-ad' || ((h >> 8) % 2) END,
  CASE WHEN attributed THEN 'kw-' || ((h >> 16) % 5) END,
  CASE WHEN attributed THEN CASE (h >> 24) % 3 WHEN 0 THEN 'paid_search' WHEN 1 THEN 'paid_social' ELSE 'display' END
       ELSE CASE (h >> 24) % 4 WHEN 0 THEN 'direct' WHEN 1 THEN 'organic' WHEN 2 THEN 'email' ELSE 'referral' END END,
  CASE WHEN event_type = 'purchase' THEN CAST(5 + ((h >> 32) % 49500) / 100.0 AS DECIMAL(18, 4)) END,
  CASE WHEN event_type = 'purchase' THEN 'USD' END,
  CASE WHEN event_type = 'feature_used' THEN JSON_PARSE('{"feature":"feature-' || ((h >> 40) % 12) || '"}') ELSE JSON_PARSE('{}') END,
  2,
  1,
  occurred_at + to_seconds(60),
  'bench'
FROM (
  SELECT
    i,
    h,
    ${startLiteral} + to_microseconds(CAST(i * ${stepMicros} AS BIGINT)) AS occurred_at,
    CASE WHEN k < 55 THEN 'page_view' WHEN k < 70 THEN 'feature_used' WHEN k < 82 THEN 'ad_click' WHEN k < 85 THEN 'signup'
         WHEN k < 87 THEN 'trial_started' WHEN k < 92 THEN 'purchase' ELSE 'session_start' END AS event_type,
    CAST(floor(pow(((h2 % 1000000) / 1000000.0), 1.3) * 200000) AS INTEGER) AS u,
    (h2 >> 20) % 100 < 30 OR k BETWEEN 70 AND 81 AS attributed,
    CAST(floor(pow((((h2 >> 40) % 1000) / 1000.0), 2) * 20) AS INTEGER) AS c
  FROM (SELECT i, hash(i) AS h, hash(i + ${rows}) AS h2, hash(i) % 100 AS k FROM range(${rows}) AS r(i)) AS g
) AS t`;
}

/** One realistic query per dashboard, the way a dashboard tile would ask. */
const QUERIES: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: "campaign_performance: one campaign, last 24 h, by ad group/ad/keyword",
    sql: `SELECT ad_group_id, ad_id, keyword, SUM(events) AS events, SUM(clicks) AS clicks, SUM(signups) AS signups, SUM(purchases) AS purchases, SUM(revenue) AS revenue
FROM campaign_performance
WHERE campaign_id = 'c-3' AND bucket_start >= DATEADD(hour, -24, GETDATE())
GROUP BY ad_group_id, ad_id, keyword
ORDER BY revenue DESC`,
  },
  {
    name: "user_engagement: hourly actives, last 24 h",
    sql: `SELECT period_start, active_users, active_accounts, events, events_per_user
FROM user_engagement
WHERE grain = 'hour' AND period_start >= DATEADD(hour, -24, DATE_TRUNC('hour', GETDATE()))
ORDER BY period_start`,
  },
  {
    name: "feature_adoption: every feature, last 7 days",
    sql: `SELECT feature, day, uses, active_users, active_accounts, new_accounts, adopted_accounts
FROM feature_adoption
WHERE day >= DATEADD(day, -7, DATE_TRUNC('day', GETDATE()))
ORDER BY feature, day`,
  },
  {
    name: "revenue_attribution: last 7 days by model, channel, campaign",
    sql: `SELECT model, channel, campaign_id, SUM(purchases) AS purchases, SUM(revenue) AS revenue
FROM revenue_attribution
WHERE day >= DATEADD(day, -7, DATE_TRUNC('day', GETDATE()))
GROUP BY model, channel, campaign_id
ORDER BY model, revenue DESC`,
  },
];

/**
 * Migrates the warehouse behind `client`, inserts the 10 million bench events and rebuilds the
 * rollups from them (what the `warehouse` and `metrics-api` sections both measure on).
 */
export async function seedBenchWarehouse(client: RedshiftDataClient): Promise<void> {
  await waitFor(client, (await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: CREATE_SCHEMA_MIGRATIONS }))).Id!);
  for (const migration of MIGRATIONS) {
    await waitFor(client, (await client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: buildApplyMigrationStatements(migration) }))).Id!);
  }
  let started = performance.now();
  // Rows come out of range() in time order anyway; not making DuckDB preserve it across its
  // threads makes the insert ~40 % faster and leaves row groups time-clustered for the zone maps.
  const sql = `SET preserve_insertion_order = false;\n${generateSql(ROWS, new Date())};\nSET preserve_insertion_order = true`;
  await waitFor(client, (await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: sql }))).Id!);
  const [count] = (await client.send(new GetStatementResultCommand({ Id: (await waitFor(client, (await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: "SELECT COUNT(*) FROM events" }))).Id!)).Id! }))).Records ?? [];
  if (Number(count?.[0]?.longValue) !== ROWS) throw new Error(`expected ${ROWS} events, found ${count?.[0]?.longValue}`);
  console.log(`  generated ${format(ROWS)} rows in ${format((performance.now() - started) / 1000, 1)} s (INSERT … SELECT FROM range() through ExecuteStatement)`);
  // The bulk INSERT bypassed the load, which maintains the rollups: rebuild them, as an operator would.
  started = performance.now();
  const rebuild = await waitFor(client, (await client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: buildRollupRebuildStatements() }))).Id!);
  const counts = await client.send(new GetStatementResultCommand({ Id: (await waitFor(client, (await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: ROLLUP_TABLES.map((t) => `SELECT '${t}' AS t, COUNT(*) AS n FROM ${t}`).join(" UNION ALL ") }))).Id!)).Id! }));
  console.log(`  rebuilt the rollups from events in ${format((performance.now() - started) / 1000, 1)} s (${rebuild.Status}): ${(counts.Records ?? []).map((r) => `${r[0]?.stringValue} ${format(Number(r[1]?.longValue))}`).join(", ")}`);
}

async function waitFor(client: RedshiftDataClient, id: string): Promise<DescribeStatementCommandOutput> {
  for (;;) {
    const out = await client.send(new DescribeStatementCommand({ Id: id }));
    if (out.Status === "FINISHED") return out;
    if (out.Status === "FAILED" || out.Status === "ABORTED") throw new Error(`statement ${out.Status}: ${out.Error}`);
    // A dashboard polls; 2 ms keeps the polling from hiding the query's own time.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** ExecuteStatement → DescribeStatement until FINISHED → every page of GetStatementResult. */
async function query(client: RedshiftDataClient, sql: string): Promise<{ rows: number; engineMs: number }> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: sql }));
  const done = await waitFor(client, Id!);
  let rows = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id, NextToken: token }));
    rows += page.Records?.length ?? 0;
    token = page.NextToken;
  } while (token);
  return { rows, engineMs: (done.Duration ?? 0) / 1e6 };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The four dashboard queries' p50/p95 on 10 million rows through the Data API client against the
 * local DuckDB-backed service (goal p95 < GOAL_MS), each query run 20 times after a warm-up (3 times
 * when a warm-up takes over a second: then the goal is far off and more runs only add minutes).
 */
export async function benchWarehouse(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-warehouse-"));
  let url = "";
  const redshift = createRedshiftDataService({ dataDir, s3: { endpointUrl: () => url } });
  const endpoint = await startEndpoint({ services: [redshift, createS3Service({ dataDir })] });
  url = endpoint.url;
  const client = new RedshiftDataClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  try {
    console.log(`\nWarehouse dashboards (Redshift Data API on DuckDB, ${format(ROWS)} events over ${DAYS} days, goal p95 < ${GOAL_MS} ms)`);
    await seedBenchWarehouse(client);
    let started = performance.now();
    let worst = 0;
    for (const q of QUERIES) {
      let rows = 0;
      let warmMs = 0;
      for (let n = 0; n < WARM_UPS; n++) {
        const t0 = performance.now();
        rows = (await query(client, q.sql)).rows;
        warmMs = performance.now() - t0;
      }
      const runs = warmMs > SLOW_MS ? SLOW_RUNS : RUNS;
      const total: number[] = [];
      const engine: number[] = [];
      for (let n = 0; n < runs; n++) {
        const t0 = performance.now();
        const out = await query(client, q.sql);
        total.push(performance.now() - t0);
        engine.push(out.engineMs);
      }
      total.sort((a, b) => a - b);
      engine.sort((a, b) => a - b);
      const p95 = percentile(total, 95);
      worst = Math.max(worst, p95);
      console.log(
        `  ${q.name}\n    ${format(rows)} rows, ${runs} runs   p50 ${format(percentile(total, 50), 1)} ms   p95 ${format(p95, 1)} ms ${p95 < GOAL_MS ? "✓" : "✗"}   (engine p50 ${format(percentile(engine, 50), 1)} ms, p95 ${format(percentile(engine, 95), 1)} ms)`,
      );
    }
    console.log(`  worst p95 ${format(worst, 1)} ms vs goal ${GOAL_MS} ms: ${worst < GOAL_MS ? "met" : "NOT met"}   (measured in ${format((performance.now() - started) / 1000, 1)} s)`);
    // What keeping the rollups costs a load: the same kind of 50k-row load with and without the
    // maintenance statements (alternating, so cache and table growth favour neither).
    const loads: ({ withRollups: boolean } & LoadTiming)[] = [];
    for (const [n, withRollups] of [false, true, false, true].entries()) {
      loads.push({ withRollups, ...(await timeLoad(client, TARGET, url, { rows: LOAD_ROWS, seed: `bench-load-${n}`, withRollups })) });
    }
    for (const withRollups of [false, true]) {
      const runs = loads.filter((l) => l.withRollups === withRollups);
      console.log(
        `  load of ${format(LOAD_ROWS)} events ${withRollups ? "with" : "without"} rollup maintenance: ${runs.map((l) => `${format(l.totalMs, 0)} ms`).join(", ")}` +
          (withRollups ? ` (rollup statements ${runs.map((l) => `${format(l.rollupMs, 0)} ms`).join(", ")})` : ""),
      );
    }
    const last = loads[loads.length - 1]!;
    console.log(`    slowest rollup statements: ${last.slowest.map(([sql, ms]) => `${format(ms, 0)} ms ${sql}`).join("; ")}`);
  } finally {
    client.destroy();
    await endpoint.close();
    await redshift.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWarehouse();
