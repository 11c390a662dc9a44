import { BatchExecuteStatementCommand, ExecuteStatementCommand, GetStatementResultCommand } from "@aws-sdk/client-redshift-data";
import { buildRollupRebuildStatements, METRICS_VIEWS } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HttpHandler } from "../../src/api/http-api.ts";
import { LOCAL_WAREHOUSE, localWorkflowResources } from "../../src/deploy/index.ts";
import { lambdaContext } from "../../src/lambda/context.ts";
import { startIngestRoute, type IngestRoute } from "../../src/platform/ingest-route.ts";
import { endpointEnvironment, linkEnvironment } from "../../src/platform/links.ts";
import { LOCAL_ACCOUNT } from "../../src/platform/local-services.ts";
import { startRedshift, type RedshiftHarness } from "../redshift/harness.ts";

/*
 * The metrics API end to end on the embedded endpoint: the deployed handler behind the local HTTP
 * API's routes, the migrated warehouse on the Data API over DuckDB, real rows in `events`, the
 * rollups rebuilt from them as an operator would after a bulk insert.
 */

const METRICS_KEY = "fm_test_metrics_key";
const INGEST_KEY = "fk_test_ingest_key";
const HOUR = 3_600_000;
/** Three hours ago, on the hour: every event sits inside the minute bucket's 24 h. */
const H = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const at = (minutes: number) => new Date(H + minutes * 60_000);
const ts = (minutes: number) => at(minutes).toISOString();
const sqlTs = (minutes: number) => `CAST('${ts(minutes).slice(0, 19).replace("T", " ")}' AS TIMESTAMP)`;

const EVENTS: readonly (readonly [string, string, number, string, string | null, string, number | null, string])[] = [
  // id, type, minute, user, campaign, channel, revenue, properties
  ["e1", "ad_click", 2, "u1", "c-1", "paid_search", null, "{}"],
  ["e2", "purchase", 7, "u1", "c-1", "paid_search", 10.5, "{}"],
  ["e3", "purchase", 65, "u2", "c-2", "email", 20, "{}"],
  ["e4", "feature_used", 10, "u3", null, "direct", null, '{"feature":"export"}'],
  ["e5", "page_view", 70, "u3", null, "direct", null, "{}"],
];

let redshift: RedshiftHarness;
let api: IngestRoute;

/** `key: null` sends none. */
async function get(path: string, key: string | null = METRICS_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api.url}${path}`, { headers: key === null ? {} : { "x-api-key": key } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const target = { WorkgroupName: LOCAL_WAREHOUSE.warehouseWorkgroupName, Database: LOCAL_WAREHOUSE.warehouseDatabase };

async function eventCount(): Promise<number> {
  const { Id } = await redshift.client.send(new ExecuteStatementCommand({ ...target, Sql: "SELECT COUNT(*) FROM events" }));
  const done = await redshift.waitFor(Id!);
  if (done.Status !== "FINISHED") throw new Error(`${done.Status}: ${done.Error}`);
  const page = await redshift.client.send(new GetStatementResultCommand({ Id: Id! }));
  return Number(page.Records?.[0]?.[0]?.longValue);
}

beforeAll(async () => {
  redshift = await startRedshift();
  const resources = localWorkflowResources(LOCAL_ACCOUNT);
  const env = {
    ...endpointEnvironment(redshift.endpoint.url),
    ...linkEnvironment(INGEST_KEY, resources, METRICS_KEY),
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // Imported only now: handlers read their links when imported.
  const { handler: migrate } = (await import("@freshet/functions/migrate")) as unknown as { handler: (e: unknown, c: unknown) => Promise<unknown> };
  const { handler: metrics } = (await import("@freshet/functions/metrics-api")) as unknown as { handler: HttpHandler };
  await migrate({}, lambdaContext({ name: "freshet-local-Migrate", memoryMb: 256, timeoutMs: 300_000 }));

  const values = EVENTS.map(
    ([id, type, minute, user, campaign, channel, revenue, properties]) =>
      `('${id}', '${type}', ${sqlTs(minute)}, ${sqlTs(minute)}, '${user}', 'a-${user}', ${campaign ? `'${campaign}'` : "NULL"}, ${campaign ? `'${campaign}-g'` : "NULL"}, NULL, NULL, '${channel}', ${revenue ?? "NULL"}, ${revenue === null ? "NULL" : "'USD'"}, JSON_PARSE('${properties}'), 2, 2, ${sqlTs(minute + 1)}, 'test')`,
  );
  const sqls = [
    `INSERT INTO events (event_id, event_type, occurred_at, received_at, user_id, account_id, campaign_id, ad_group_id, ad_id, keyword, channel, revenue, currency, properties, source_schema_version, schema_version, loaded_at, load_id) VALUES ${values.join(", ")}`,
    `INSERT INTO anomalies (incident_id, kind, metric, dimension, direction, expected, observed, score, threshold, window_start, window_end, detected_at, execution_id)
     VALUES ('i-1', 'anomaly', 'conversions', 'campaign=c-1', 'down', 10, 2, 4.5, 3, ${sqlTs(20)}, ${sqlTs(25)}, ${sqlTs(30)}, NULL)`,
    ...buildRollupRebuildStatements(),
  ];
  const { Id } = await redshift.client.send(new BatchExecuteStatementCommand({ ...target, Sqls: sqls }));
  const done = await redshift.waitFor(Id!);
  if (done.Status !== "FINISHED") throw new Error(`seeding failed: ${done.Error}`);

  const ingest: HttpHandler = () => Promise.reject(new Error("no ingest in this test"));
  api = await startIngestRoute(ingest, 0, metrics);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await redshift?.dispose();
  vi.unstubAllEnvs();
});

describe("GET /v1/metrics/{view}", () => {
  it("campaign-performance in the view's 5-minute buckets, numbers as numbers, times in UTC", async () => {
    const { status, body } = await get(`/v1/metrics/campaign-performance?from=${ts(0)}&to=${ts(120)}&bucket=minute`);
    expect(status).toBe(200);
    expect(body.view).toBe("campaign-performance");
    expect(body.rows).toEqual([
      { bucket_start: ts(0), campaign_id: "c-1", events: 1, clicks: 1, trials: 0, signups: 0, purchases: 0, revenue: 0 },
      { bucket_start: ts(5), campaign_id: "c-1", events: 1, clicks: 0, trials: 0, signups: 0, purchases: 1, revenue: 10.5 },
      { bucket_start: ts(65), campaign_id: "c-2", events: 1, clicks: 0, trials: 0, signups: 0, purchases: 1, revenue: 20 },
    ]);
    expect(body.freshness).toMatchObject({ metric: "campaign_performance", newest_event_at: ts(65) });
    expect(typeof (body.freshness as { confidence: unknown }).confidence).toBe("number");
  });

  it("campaign-performance per hour for one campaign", async () => {
    const { body } = await get(`/v1/metrics/campaign-performance?from=${ts(0)}&to=${ts(180)}&bucket=hour&campaign=c-1`);
    expect(body.rows).toEqual([{ bucket_start: ts(0), campaign_id: "c-1", events: 2, clicks: 1, trials: 0, signups: 0, purchases: 1, revenue: 10.5 }]);
  });

  it("campaign-performance per day, and the range excludes what is outside it", async () => {
    const { body } = await get(`/v1/metrics/campaign-performance?from=${ts(60)}&to=${ts(120)}&bucket=minute`);
    expect((body.rows as { campaign_id: string }[]).map((r) => r.campaign_id)).toEqual(["c-2"]);
    const day = await get(`/v1/metrics/campaign-performance?from=${ts(0)}&to=${ts(180)}&bucket=day`);
    const rows = day.body.rows as { campaign_id: string; events: number; bucket_start: string }[];
    expect(rows.reduce((n, r) => n + r.events, 0)).toBe(3);
    for (const r of rows) expect(r.bucket_start).toMatch(/T00:00:00(\.000)?Z$/);
  });

  it("user-engagement per hour", async () => {
    const { status, body } = await get(`/v1/metrics/user-engagement?from=${ts(0)}&to=${ts(120)}&bucket=hour`);
    expect(status).toBe(200);
    expect(body.rows).toEqual([
      { bucket_start: ts(0), active_users: 2, active_accounts: 2, events: 3, events_per_user: 1.5 },
      { bucket_start: ts(60), active_users: 2, active_accounts: 2, events: 2, events_per_user: 1 },
    ]);
    expect(body.freshness).toMatchObject({ metric: "user_engagement" });
  });

  it("feature-adoption per day", async () => {
    const { body } = await get(`/v1/metrics/feature-adoption?from=${ts(0)}&to=${ts(120)}`);
    expect(body.rows).toEqual([
      { bucket_start: new Date(Math.floor(H / 86_400_000) * 86_400_000).toISOString(), feature: "export", uses: 1, active_users: 1, active_accounts: 1, new_accounts: 1, adopted_accounts: 1 },
    ]);
  });

  it("revenue-attribution filtered by campaign and channel", async () => {
    const { body } = await get(`/v1/metrics/revenue-attribution?from=${ts(0)}&to=${ts(120)}&campaign=c-2&channel=email`);
    const rows = body.rows as { model: string; channel: string; campaign_id: string; purchases: number; revenue: number }[];
    expect(rows.map((r) => [r.model, r.channel, r.campaign_id, r.purchases, r.revenue])).toEqual([
      ["first_touch", "email", "c-2", 1, 20],
      ["last_touch", "email", "c-2", 1, 20],
    ]);
    const other = await get(`/v1/metrics/revenue-attribution?from=${ts(0)}&to=${ts(120)}&channel=paid_search`);
    expect((other.body.rows as { revenue: number }[]).map((r) => r.revenue)).toEqual([10.5, 10.5]);
  });

  it("limit caps the rows", async () => {
    const { body } = await get(`/v1/metrics/campaign-performance?from=${ts(0)}&to=${ts(120)}&limit=2`);
    expect(body.rows).toHaveLength(2);
  });
});

describe("GET /v1/freshness and /v1/anomalies", () => {
  it("answers the confidence of every metric", async () => {
    const { status, body } = await get("/v1/freshness");
    expect(status).toBe(200);
    const metrics = body.metrics as { metric: string; confidence: number }[];
    expect(metrics.map((m) => m.metric)).toEqual(["campaign_performance", "feature_adoption", "revenue_attribution", "user_engagement"]);
    for (const m of metrics) expect(m.confidence).toBeGreaterThanOrEqual(0);
  });

  it("answers the anomalies since an instant", async () => {
    const { body } = await get(`/v1/anomalies?since=${ts(0)}`);
    expect(body.anomalies).toEqual([
      expect.objectContaining({ incident_id: "i-1", metric: "conversions", expected: 10, observed: 2, detected_at: ts(30) }),
    ]);
    expect((await get(`/v1/anomalies?since=${ts(31)}`)).body.anomalies).toEqual([]);
  });
});

describe("bad parameters", () => {
  it.each([
    ["/v1/metrics/campaign-performance?region=eu", "unknown_parameter"],
    ["/v1/metrics/campaign-performance?from=yesterday", "invalid_timestamp"],
    ["/v1/metrics/campaign-performance?to=2026-13-01T00:00:00Z", "invalid_timestamp"],
    [`/v1/metrics/campaign-performance?from=${ts(60)}&to=${ts(0)}`, "empty_range"],
    [`/v1/metrics/campaign-performance?from=${ts(-48 * 60)}&to=${ts(0)}&bucket=minute`, "range_too_long"],
    ["/v1/metrics/campaign-performance?bucket=week", "invalid_bucket"],
    ["/v1/metrics/feature-adoption?bucket=hour", "unsupported_bucket"],
    ["/v1/metrics/user-engagement?campaign=c-1", "unsupported_parameter"],
    [`/v1/metrics/campaign-performance?campaign=${"c".repeat(129)}`, "invalid_string"],
    ["/v1/metrics/campaign-performance?limit=10001", "invalid_limit"],
    ["/v1/freshness?metric=x", "unknown_parameter"],
    ["/v1/anomalies?since=soon", "invalid_timestamp"],
  ])("%s → 400 %s", async (path, reason) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body).toMatchObject({ reason });
    expect(typeof body.message).toBe("string");
  });

  it("an unknown view is 404 naming the views", async () => {
    const { status, body } = await get("/v1/metrics/events");
    expect(status).toBe(404);
    expect(body).toMatchObject({ reason: "unknown_view" });
    for (const v of METRICS_VIEWS) expect(body.message).toContain(v);
  });
});

describe("auth", () => {
  it.each(["/v1/metrics/campaign-performance", "/v1/freshness", "/v1/anomalies"])("%s: 401 without a key, 403 with a wrong one or the ingest key", async (path) => {
    expect((await get(path, null)).status).toBe(401);
    expect((await get(path, "wrong")).status).toBe(403);
    expect((await get(path, INGEST_KEY)).status).toBe(403);
    expect((await get(path)).status).toBe(200);
  });

  it("checks the key before the parameters", async () => {
    expect((await get("/v1/metrics/nope?bucket=week", null)).status).toBe(401);
  });
});

describe("SQL injection in every parameter", () => {
  const QUOTE = "x' OR '1'='1";
  const DROP = "2026-01-01'; DROP TABLE events;--";
  const range = `from=${ts(0)}&to=${ts(180)}`;

  it.each([
    [`/v1/metrics/campaign-performance?${range}&campaign=${encodeURIComponent(QUOTE)}`, 200],
    [`/v1/metrics/revenue-attribution?${range}&campaign=${encodeURIComponent(QUOTE)}`, 200],
    [`/v1/metrics/revenue-attribution?${range}&channel=${encodeURIComponent(QUOTE)}`, 200],
    [`/v1/metrics/revenue-attribution?${range}&channel=${encodeURIComponent("email'; DROP TABLE events;--")}`, 200],
    [`/v1/metrics/campaign-performance?from=${encodeURIComponent(DROP)}`, 400],
    [`/v1/metrics/campaign-performance?to=${encodeURIComponent(DROP)}`, 400],
    [`/v1/metrics/campaign-performance?bucket=${encodeURIComponent("hour'; DROP TABLE events;--")}`, 400],
    [`/v1/metrics/campaign-performance?limit=${encodeURIComponent("1; DROP TABLE events")}`, 400],
    [`/v1/anomalies?since=${encodeURIComponent(DROP)}`, 400],
    [`/v1/anomalies?limit=${encodeURIComponent("1 UNION SELECT 1")}`, 400],
    [`/v1/metrics/${encodeURIComponent("campaign-performance'; DROP TABLE events;--")}`, 404],
  ])("%s → %i, bound or refused, events intact", async (path, expected) => {
    const before = await eventCount();
    const { status, body } = await get(path);
    expect(status).toBe(expected);
    if (status === 200) expect(body.rows).toEqual([]);
    expect(await eventCount()).toBe(before);
    expect(before).toBe(EVENTS.length);
  });
});
