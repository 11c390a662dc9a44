import { DB_ROLES, METRICS_API_FUNCTION, METRICS_API_ROUTES } from "@freshet/core";
import { databaseUserPolicy, withDatabaseRoles } from "./database-roles.ts";
import { createFunction, powertoolsEnvironment } from "./lambda.ts";
import type { Warehouse } from "./warehouse.ts";

export interface MetricsApiInput {
  /** The ingest's HTTP API (`stacks/ingest.ts`): the metrics routes are added to it. */
  readonly api: sst.aws.ApiGatewayV2;
  readonly warehouse: Warehouse;
}

export interface MetricsApi {
  readonly fn: sst.aws.Function;
  /** Its own key, never the ingest's: a reader of metrics cannot send events, nor the reverse. */
  readonly apiKey: sst.Secret;
  /** Its tag lookups and reads of its own statements (`databaseUserPolicy`). */
  readonly databaseUser: aws.iam.RolePolicy;
  /** `GET <url>/{view}`. */
  readonly url: $util.Output<string>;
}

/**
 * Statement ids it needs after submitting: polling and reading its own results. It never cancels
 * (a dashboard query ends within the function's timeout or the Data API's own).
 */
const METRICS_STATEMENT_ACTIONS = ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"] as const;

/**
 * The read-only metrics API: `GET /v1/metrics/{view}`, `GET /v1/freshness`, `GET /v1/anomalies` on
 * the ingest's API, all to one function. Its IAM: submitting SQL on the workgroup through the
 * `Warehouse` link, reading its own statements; its database user has the reader role only
 * (SELECT on the views and `anomalies`, core's migrations 5 and 8), so whatever SQL reached the
 * warehouse could not write.
 */
export function createMetricsApi({ api, warehouse }: MetricsApiInput): MetricsApi {
  const apiKey = new sst.Secret("MetricsApiKey");
  const fn = createFunction("MetricsApi", {
    handler: "packages/functions/src/metrics-api.handler",
    description: "Freshet metrics API: dashboard views, freshness and anomalies, read-only",
    memory: `${METRICS_API_FUNCTION.memoryMb} MB`,
    timeout: `${METRICS_API_FUNCTION.timeoutSeconds} seconds`,
    link: [warehouse.link, apiKey],
    environment: powertoolsEnvironment("metrics-api"),
    transform: { role: withDatabaseRoles([DB_ROLES.reader]) },
  });
  for (const route of METRICS_API_ROUTES) api.route(route, fn.arn);
  return {
    fn,
    apiKey,
    databaseUser: databaseUserPolicy("MetricsApiDatabaseUser", fn.nodes.role, METRICS_STATEMENT_ACTIONS),
    url: $interpolate`${api.url}/v1/metrics`,
  };
}
