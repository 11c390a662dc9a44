import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import {
  anomaliesQuery,
  freshnessQuery,
  metricsView,
  parseAnomaliesQuery,
  parseFreshnessQuery,
  parseMetricsQuery,
} from "@freshet/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { Resource } from "sst";
import { RouteNotFoundError } from "./errors.ts";
import { queryRecords } from "./metrics/records.ts";
import { apiKeyAuth } from "./middleware/api-key-auth.ts";
import { httpErrors, json } from "./middleware/http-errors.ts";
import { observability } from "./shared/observability.ts";
import { redshiftDataClient } from "./shared/redshift-data-client.ts";

/**
 * The read-only metrics API: `GET /v1/metrics/{view}`, `GET /v1/freshness`, `GET /v1/anomalies`.
 * Every parameter is validated in core before any SQL, and every client value is bound through
 * the Data API's `Parameters`. Its database user has the reader role only (`stacks/metrics-api.ts`).
 */
const { logger, metrics } = observability("metrics-api");

function warehouse() {
  return { workgroup: Resource.Warehouse.workgroup, database: Resource.Warehouse.database };
}

async function answer(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const client = redshiftDataClient();
  const params = event.queryStringParameters;
  const now = new Date();
  switch (event.routeKey) {
    case "GET /v1/metrics/{view}": {
      const view = metricsView(event.pathParameters?.view);
      const query = parseMetricsQuery(params, view, now);
      // Independent statements: run side by side, the answer waits for the slower one only.
      const [rows, freshness] = await Promise.all([
        queryRecords(client, warehouse(), view.build(query)),
        queryRecords(client, warehouse(), freshnessQuery(view.metric)),
      ]);
      return json(200, {
        view: view.name,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        bucket: query.bucket,
        rows,
        freshness: freshness[0] ?? null,
      });
    }
    case "GET /v1/freshness":
      parseFreshnessQuery(params);
      return json(200, { metrics: await queryRecords(client, warehouse(), freshnessQuery()) });
    case "GET /v1/anomalies": {
      const { since, limit } = parseAnomaliesQuery(params, now);
      return json(200, { since: since.toISOString(), anomalies: await queryRecords(client, warehouse(), anomaliesQuery(since, limit)) });
    }
    default:
      throw new RouteNotFoundError(`no metrics route ${event.routeKey}`);
  }
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  // Never the invocation event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: its headers carry the API key.
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics))
  .use(httpErrors(logger))
  .use(apiKeyAuth(() => Resource.MetricsApiKey.value))
  .handler(answer);
