import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { ingestLimitsFromEnv, splitBody } from "@freshet/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { Resource } from "sst";
import { putRecords } from "./ingest/put-records.ts";
import { apiKeyAuth } from "./middleware/api-key-auth.ts";
import { httpErrors, json } from "./middleware/http-errors.ts";
import { kinesisClient } from "./shared/kinesis-client.ts";
import { observability } from "./shared/observability.ts";

/**
 * `POST /v1/events`: authenticate, split the body into events (JSON array or NDJSON), write them
 * to the `Events` stream, answer how many were accepted. Validation happens downstream, where a
 * bad event becomes a dead letter instead of costing the client its whole batch.
 */
const { logger, metrics } = observability("ingest");
const limits = ingestLimitsFromEnv(process.env);

async function ingest(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
  const records = splitBody(body, event.headers?.["content-type"], limits);
  const accepted = await putRecords(kinesisClient(), Resource.Events.name, records);
  metrics.addMetric("EventsAccepted", MetricUnit.Count, accepted);
  return json(202, { accepted });
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  // Never the invocation event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: its headers carry the API key.
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics))
  .use(httpErrors(logger))
  .use(apiKeyAuth(() => Resource.IngestApiKey.value))
  .handler(ingest);
