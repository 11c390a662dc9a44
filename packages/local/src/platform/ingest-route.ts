import { INGEST_FUNCTION, METRICS_API_FUNCTION, METRICS_API_ROUTES } from "@freshet/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { startHttpApi, type HttpHandler, type RunningHttpApi } from "../api/http-api.ts";

export interface IngestRoute extends RunningHttpApi {
  /** Events the route has accepted since it started (the `accepted` of its 2xx answers). */
  accepted(): number;
}

/**
 * `POST /v1/events` as `stacks/ingest.ts` routes it, on the local HTTP API, and with `metrics` the
 * metrics API's read-only routes (`stacks/metrics-api.ts`) on the same API, to their one function.
 */
export async function startIngestRoute(ingest: HttpHandler, port: number | undefined, metrics?: HttpHandler): Promise<IngestRoute> {
  let accepted = 0;
  const api = await startHttpApi({
    port: port ?? 0,
    routes: [
      {
        routeKey: "POST /v1/events",
        fn: { name: "freshet-local-Ingest", memoryMb: INGEST_FUNCTION.memoryMb, timeoutMs: INGEST_FUNCTION.timeoutSeconds * 1000 },
        handler: ingest,
      },
      ...(metrics === undefined
        ? []
        : METRICS_API_ROUTES.map((routeKey) => ({
            routeKey,
            fn: { name: "freshet-local-MetricsApi", memoryMb: METRICS_API_FUNCTION.memoryMb, timeoutMs: METRICS_API_FUNCTION.timeoutSeconds * 1000 },
            handler: metrics,
          }))),
    ],
    onResponse: (route, result) => {
      if (route === "POST /v1/events") accepted += acceptedCount(result);
    },
  });
  return { url: api.url, close: () => api.close(), accepted: () => accepted };
}

function acceptedCount(result: APIGatewayProxyStructuredResultV2): number {
  try {
    const body = JSON.parse(result.body ?? "{}") as { accepted?: unknown };
    return typeof body.accepted === "number" ? body.accepted : 0;
  } catch {
    return 0;
  }
}
