import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { Resource } from "sst";
import { applyMigrations, type MigrationReport } from "./load/migrations.ts";
import { observability } from "./shared/observability.ts";
import { redshiftDataClient } from "./shared/redshift-data-client.ts";

/**
 * Applies the warehouse's pending schema migrations (`@freshet/core`'s `MIGRATIONS`) through the
 * Data API. Invoked on every deploy whose migrations changed (`stacks/warehouse.ts`) and once at
 * `npm start`; a run with nothing pending changes nothing. A failed migration rolls back with its
 * record and fails the invocation, so the deploy fails instead of leaving a half-applied schema.
 */
const { logger, metrics } = observability("migrate");

async function migrate(): Promise<MigrationReport> {
  const report = await applyMigrations(redshiftDataClient(), {
    workgroup: Resource.Warehouse.workgroup,
    database: Resource.Warehouse.database,
  });
  metrics.addMetric("MigrationsApplied", MetricUnit.Count, report.applied.length);
  logger.info(report.applied.length > 0 ? "migrations applied" : "schema current", { ...report });
  return report;
}

export const handler = middy<unknown, MigrationReport>().use(injectLambdaContext(logger)).use(logMetrics(metrics)).handler(migrate);
