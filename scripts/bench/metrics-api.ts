import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HttpHandler } from "../../packages/local/src/api/http-api.ts";
import { localWorkflowResources } from "../../packages/local/src/deploy/index.ts";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { startIngestRoute } from "../../packages/local/src/platform/ingest-route.ts";
import { endpointEnvironment, linkEnvironment } from "../../packages/local/src/platform/links.ts";
import { LOCAL_ACCOUNT } from "../../packages/local/src/platform/local-services.ts";
import { createRedshiftDataService } from "../../packages/local/src/redshift/index.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { format } from "./measure.ts";
import { percentile, seedBenchWarehouse } from "./warehouse.ts";

const RUNS = 30;
const WARM_UPS = 2;
const GOAL_MS = 100;
const KEY = "bench-metrics-key";
const HOUR = 3_600_000;

/** The requests a dashboard would make, each over the whole HTTP path: route, auth, validation, Data API, JSON. */
function requests(now: number): readonly { readonly name: string; readonly path: string }[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return [
    { name: "campaign-performance, one campaign, 24 h by hour", path: `/v1/metrics/campaign-performance?campaign=c-3&bucket=hour&from=${iso(now - 24 * HOUR)}` },
    { name: "campaign-performance, all campaigns, last hour by 5 minutes", path: "/v1/metrics/campaign-performance" },
    { name: "user-engagement, 24 h by hour", path: `/v1/metrics/user-engagement?bucket=hour&from=${iso(now - 24 * HOUR)}` },
    { name: "feature-adoption, 7 days", path: `/v1/metrics/feature-adoption?from=${iso(now - 7 * 24 * HOUR)}` },
    { name: "revenue-attribution, 7 days, one channel", path: `/v1/metrics/revenue-attribution?channel=paid_search&from=${iso(now - 7 * 24 * HOUR)}` },
    { name: "freshness", path: "/v1/freshness" },
    { name: "anomalies, last day", path: "/v1/anomalies" },
  ];
}

/**
 * The metrics API's p50/p95 per request on the warehouse section's 10 million events: the deployed
 * handler behind the local HTTP API, the Data API on DuckDB (goal p95 < 100 ms). Each metrics
 * request runs two statements side by side (the view and its freshness row, which reads the
 * one-row `newest_events` since migration 9 rather than aggregating the 10 million events).
 */
export async function benchMetricsApi(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-metrics-api-"));
  let url = "";
  const redshift = createRedshiftDataService({ dataDir, s3: { endpointUrl: () => url } });
  const endpoint = await startEndpoint({ services: [redshift, createS3Service({ dataDir })] });
  url = endpoint.url;
  const client = new RedshiftDataClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  Object.assign(process.env, endpointEnvironment(url), linkEnvironment("bench-ingest-key", localWorkflowResources(LOCAL_ACCOUNT), KEY), {
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  let api: Awaited<ReturnType<typeof startIngestRoute>> | undefined;
  try {
    console.log(`\nMetrics API (GET over HTTP → handler → Data API on DuckDB, the warehouse section's data, goal p95 < ${GOAL_MS} ms)`);
    await seedBenchWarehouse(client);
    // Imported once its links are in the environment, as the platform does.
    const { handler } = (await import("../../packages/functions/src/metrics-api.ts")) as unknown as { handler: HttpHandler };
    api = await startIngestRoute(() => Promise.reject(new Error("no ingest in this bench")), 0, handler);
    const started = performance.now();
    let worst = 0;
    for (const r of requests(Date.now())) {
      const call = async () => {
        const response = await fetch(`${api!.url}${r.path}`, { headers: { "x-api-key": KEY } });
        const body = (await response.json()) as { rows?: unknown[]; metrics?: unknown[]; anomalies?: unknown[] };
        if (response.status !== 200) throw new Error(`${r.path}: ${response.status} ${JSON.stringify(body)}`);
        return (body.rows ?? body.metrics ?? body.anomalies ?? []).length;
      };
      let rows = 0;
      for (let n = 0; n < WARM_UPS; n++) rows = await call();
      const times: number[] = [];
      for (let n = 0; n < RUNS; n++) {
        const t0 = performance.now();
        await call();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      worst = Math.max(worst, p95);
      console.log(`  ${r.name}\n    ${format(rows)} rows, ${RUNS} runs   p50 ${format(percentile(times, 50), 1)} ms   p95 ${format(p95, 1)} ms ${p95 < GOAL_MS ? "✓" : "✗"}`);
    }
    console.log(`  worst p95 ${format(worst, 1)} ms vs goal ${GOAL_MS} ms: ${worst < GOAL_MS ? "met" : "NOT met"}   (measured in ${format((performance.now() - started) / 1000, 1)} s)`);
  } finally {
    await api?.close();
    client.destroy();
    await endpoint.close();
    await redshift.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMetricsApi();
