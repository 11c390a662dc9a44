import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { TRIAGE_LEASE_KEY, triageSettingsFromEnv } from "@freshet/core";
import { Resource } from "sst";
import { observability } from "./shared/observability.ts";
import { s3Client } from "./shared/s3-client.ts";
import { sfnClient } from "./shared/sfn-client.ts";
import { DebounceCoverage } from "./triage/debounce-coverage.ts";
import { releaseLease, takeLease } from "./triage/lease.ts";

/**
 * Target of the rule on the lake's "Object Created" events under `dlq/dt=`: turns a burst of
 * dead letters into one DeadLetterTriage execution. It takes the lease (`dlq/triage/pending.json`,
 * a conditional write) and only if it created it starts an execution, which waits the debounce
 * interval, deletes the lease, then lists everything unhandled. Objects landing meanwhile find the
 * lease and do nothing; the ones after it was deleted start the next execution. A warm container
 * that started the execution whose listing is still to come does not even ask
 * (triage/debounce-coverage.ts).
 */
const { logger } = observability("triage-debounce");
const settings = triageSettingsFromEnv(process.env);
const coverage = new DebounceCoverage(settings.debounceSeconds);

interface ObjectCreated {
  readonly id?: string;
  readonly time?: string;
  readonly detail?: { readonly object?: { readonly key?: string } };
}

export interface DebounceResult {
  readonly started: boolean;
  readonly executionArn?: string;
}

async function debounce(event: ObjectCreated): Promise<DebounceResult> {
  const s3 = s3Client();
  const bucket = Resource.Lake.name;
  const trigger = { key: event?.detail?.object?.key ?? null, eventId: event?.id ?? null, time: event?.time ?? null };
  if (coverage.covers(Date.now())) {
    logger.debug("triage already pending (started by this container)", trigger);
    return { started: false };
  }
  const takenAt = Date.now();
  if (!(await takeLease(s3, bucket, TRIAGE_LEASE_KEY, { ...trigger, takenAt: new Date(takenAt).toISOString() }))) {
    logger.debug("triage already pending", trigger);
    return { started: false };
  }
  let executionArn: string | undefined;
  try {
    const out = await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn: Resource.DeadLetterTriageWorkflow.arn,
        input: JSON.stringify({ debounceSeconds: settings.debounceSeconds, trigger }),
      }),
    );
    executionArn = out.executionArn;
  } catch (error) {
    // No execution will delete the lease: free it, and let Lambda retry this event.
    await releaseLease(s3, bucket, TRIAGE_LEASE_KEY);
    throw error;
  }
  coverage.started(takenAt);
  logger.info("dead-letter triage started", { ...trigger, executionArn });
  return { started: true, ...(executionArn ? { executionArn } : {}) };
}

export const handler = middy<ObjectCreated, DebounceResult>().use(injectLambdaContext(logger)).handler(debounce);
