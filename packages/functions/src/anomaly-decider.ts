import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { METRIC_NAMES } from "@freshet/core";
import { Resource } from "sst";
import { decide, lakeStateStore } from "./anomaly/decide.ts";
import { prepare } from "./anomaly/prepare.ts";
import type { DecideInput, DecideOutput, PrepareInput, PrepareOutput } from "./anomaly/types.ts";
import { AnomalyStepInputError } from "./errors.ts";
import { observability } from "./shared/observability.ts";
import { s3Client } from "./shared/s3-client.ts";

/**
 * The AnomalyScoring workflow's steps (one function, two entry points chosen by `step`):
 * `prepare` the series query's rows into points and the endpoint's CSV body, `decide` the
 * endpoint's scores against each series' state in the lake (core's `decideAnomalies`).
 */
const { logger, metrics } = observability("anomaly-decider");

async function step(event: PrepareInput | DecideInput): Promise<PrepareOutput | DecideOutput> {
  switch (event?.step) {
    case "prepare": {
      const out = prepare(event);
      metrics.addMetric("AnomalyPointsPrepared", MetricUnit.Count, out.points);
      return out;
    }
    case "decide": {
      const out = await decide(event, lakeStateStore(s3Client(), Resource.Lake.name));
      metrics.addMetric(METRIC_NAMES.anomalyAlerts, MetricUnit.Count, out.alerts.length);
      if (out.alerts.length > 0) logger.info("anomaly decisions", { alerts: out.alerts.map((a) => a.subject) });
      return out;
    }
    default:
      throw new AnomalyStepInputError(`unknown anomaly step ${JSON.stringify((event as { step?: unknown } | null)?.step)}`);
  }
}

export const handler = middy<PrepareInput | DecideInput, PrepareOutput | DecideOutput>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(step);
