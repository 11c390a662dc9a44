import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { TRIAGE_RECENT_DAYS, pipelineConfigFromEnv, triageSettingsFromEnv } from "@freshet/core";
import { Resource } from "sst";
import { TriageInputError } from "./errors.ts";
import { kinesisClient } from "./shared/kinesis-client.ts";
import { observability } from "./shared/observability.ts";
import { s3Client } from "./shared/s3-client.ts";
import { triageFaults } from "./triage/faults.ts";
import { findUnhandled } from "./triage/find-unhandled.ts";
import { alertWithCooldown } from "./triage/alert-cooldown.ts";
import { summarize, writeSummary } from "./triage/summarize.ts";
import { triageObject } from "./triage/triage-object.ts";
import type { FindResult, ObjectTriage, TriageStepInput, TriageSummary } from "./triage/types.ts";

/**
 * The DeadLetterTriage workflow's steps (one function, three entry points chosen by `step`):
 * `find` the dead-letter objects not in the ledger, `triage` one object (repair and redrive into
 * `Events`, quarantine the rest, ledger marker), `summarize` the execution into the lake.
 * Validation settings are the transformer's (same environment), so a repair passes here exactly
 * when it will pass there.
 */
const { logger, metrics } = observability("dead-letter-triage");
const config = pipelineConfigFromEnv(process.env);
const settings = triageSettingsFromEnv(process.env);

async function step(event: TriageStepInput): Promise<FindResult | ObjectTriage | TriageSummary> {
  const s3 = s3Client();
  const bucket = Resource.Lake.name;
  switch (event?.step) {
    case "find": {
      const found = await findUnhandled(s3, bucket, {
        reason: event.reason,
        maxObjects: event.maxObjects ?? settings.maxObjectsPerRun,
        now: now(),
        lookbackDays: lookbackDays(event),
        executionName: event.executionName,
        dryRun: event.dryRun,
        retried: (event.attempt ?? 0) > 0,
      });
      metrics.addMetric("DeadLetterObjectsUnhandled", MetricUnit.Count, found.unhandled);
      metrics.addMetric("DeadLetterObjectsInProgress", MetricUnit.Count, found.inProgress);
      logger.info("dead-letter objects found", { ...found, objects: found.objects.length });
      return found;
    }
    case "triage": {
      const ctx = { s3, kinesis: kinesisClient(), bucket, streamName: Resource.Events.name, config, now };
      const result = await triageObject(ctx, event.key, event.executionName, event.dryRun === true);
      metrics.addMetric("DeadLettersRepaired", MetricUnit.Count, result.repaired);
      metrics.addMetric("DeadLettersQuarantined", MetricUnit.Count, result.quarantined);
      logger.info("dead-letter object triaged", { ...result });
      return result;
    }
    case "summarize": {
      const now = new Date();
      const counted = summarize(event, now, settings.alertThreshold);
      const alert = await alertWithCooldown(s3, bucket, counted.alert, now, settings.alertCooldownMinutes);
      const summary = await writeSummary(s3, bucket, { ...counted, alert });
      logger.info("dead-letter triage summary", { ...summary });
      return summary;
    }
    default:
      throw new TriageInputError(`unknown triage step ${JSON.stringify((event as { step?: unknown } | null)?.step)}`);
  }
}

const now = (): Date => triageFaults.clock?.() ?? new Date();

/** An execution a dead letter started lists since yesterday; the sweep and `freshet dlq redrive` the configured look-back, or what they ask. */
function lookbackDays(event: { sweep?: boolean; lookbackDays?: number }): number {
  if (event.lookbackDays !== undefined) {
    if (!Number.isInteger(event.lookbackDays) || event.lookbackDays < TRIAGE_RECENT_DAYS) {
      throw new TriageInputError(`lookbackDays must be an integer ≥ ${TRIAGE_RECENT_DAYS}, got ${JSON.stringify(event.lookbackDays)}`);
    }
    return event.lookbackDays;
  }
  return event.sweep === true ? settings.sweepLookbackDays : TRIAGE_RECENT_DAYS;
}

export const handler = middy<TriageStepInput, FindResult | ObjectTriage | TriageSummary>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(step);
