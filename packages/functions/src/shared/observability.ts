import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

/** Powertools logger and metrics (EMF), named per function; namespace from the environment. */
export function observability(serviceName: string): { logger: Logger; metrics: Metrics } {
  const logger = new Logger({ serviceName });
  // Metrics' own warnings (e.g. "no metrics to publish" after a rejected request) go through the
  // logger, so they follow POWERTOOLS_LOG_LEVEL instead of always reaching the console.
  const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Freshet", logger });
  return { logger, metrics };
}
