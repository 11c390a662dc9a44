import { judgeBatchResponse } from "./batch-response.ts";
import type { CheckpointStore } from "./checkpoints.ts";
import { invokeFunction, type InvocationResult, type LocalFunction } from "./invoke.ts";
import { buildKinesisEvent, type EventSource, type StreamRecord } from "./kinesis-event.ts";
import { buildOnFailureRecord } from "./on-failure-record.ts";
import type { ResolvedOptions } from "./options.ts";
import { backoffMs, type Sleeper } from "./sleeper.ts";
import type { EventSourceMappingCounters, OnFailureCondition, OnFailureRecord } from "./types.ts";

export interface BatchProcessorDeps {
  readonly options: ResolvedOptions;
  readonly fn: LocalFunction;
  readonly source: EventSource;
  readonly counters: EventSourceMappingCounters;
  readonly checkpoints: CheckpointStore;
  readonly onFailure: ((record: OnFailureRecord) => Promise<void>) | undefined;
  readonly sleeper: Sleeper;
  readonly isStopping: () => boolean;
  /**
   * Records finished (processed or given up on): the shard's checkpoint moves past them once
   * every record read before them is finished too (see ShardProgress).
   */
  readonly commit: (records: readonly StreamRecord[]) => Promise<void>;
}

/**
 * Records still to be processed, with their history: `retries` already spent on them and
 * `invokeCount` invocations that included them (a bisected half inherits both).
 */
interface PendingBatch {
  readonly records: readonly StreamRecord[];
  readonly retries: number;
  readonly invokeCount: number;
  /** True when the next invocation re-delivers records that just failed (backoff applies). */
  readonly isRetry: boolean;
  readonly lastInvocation?: { readonly requestId: string; readonly functionError: boolean };
}

/** `done`: every record was processed or given up on and checkpointed; `interrupted`: stopped. */
export type BatchOutcome = "done" | "interrupted";

/**
 * Takes one batch of a shard to completion as Lambda does for Kinesis:
 * - success checkpoints the batch's last record;
 * - a partial batch response checkpoints before the lowest failed record and retries from it;
 * - a thrown error, a timeout or an invalid response fails the whole batch; with
 *   `bisectBatchOnFunctionError` the batch is split in two halves processed in order, which
 *   costs no retry; a single record, or without bisecting, is retried;
 * - records past `maximumRetryAttempts` or older than `maximumRecordAgeInSeconds` are given up
 *   on: an on-failure record goes to the destination and the checkpoint moves past them.
 * Once the mapping is stopping no further invocation starts; what is not checkpointed is read
 * again by the next mapping.
 */
export async function processBatch(deps: BatchProcessorDeps, records: readonly StreamRecord[]): Promise<BatchOutcome> {
  const { options, counters } = deps;
  const queue: PendingBatch[] = [{ records, retries: 0, invokeCount: 0, isRetry: false }];
  let invoked = false;
  while (queue.length > 0) {
    let batch = queue[0]!;
    const expired = countExpired(batch.records, options.now(), options.maximumRecordAgeMs);
    if (expired > 0) {
      if (!(await giveUp(deps, batch, batch.records.slice(0, expired), "RecordAgeExceeded"))) return "interrupted";
      batch = { ...batch, records: batch.records.slice(expired) };
      queue[0] = batch;
      if (batch.records.length === 0) {
        queue.shift();
        continue;
      }
    }
    if (invoked && deps.isStopping()) return "interrupted";
    if (batch.isRetry) {
      await deps.sleeper.sleep(backoffMs(batch.retries, options.retryBackoffMs, options.maxRetryBackoffMs));
      if (deps.isStopping()) return "interrupted";
      counters.retries += 1;
    }

    const result = await invoke(deps, batch.records);
    invoked = true;
    const invocation = { requestId: result.requestId, functionError: !result.ok };
    const tried: PendingBatch = { ...batch, invokeCount: batch.invokeCount + 1, lastInvocation: invocation };
    const verdict = result.ok
      ? judgeBatchResponse(result.response, batch.records.map((r) => r.sequenceNumber), options.reportBatchItemFailures)
      : ({ kind: "error" } as const);

    if (verdict.kind === "success") {
      await checkpoint(deps, batch.records);
      counters.recordsSucceeded += batch.records.length;
      queue.shift();
      continue;
    }
    let failed = batch.records;
    if (verdict.kind === "partial") {
      counters.partialFailures += 1;
      const done = batch.records.slice(0, verdict.firstFailedIndex);
      if (done.length > 0) {
        await checkpoint(deps, done);
        counters.recordsSucceeded += done.length;
      }
      failed = batch.records.slice(verdict.firstFailedIndex);
    } else {
      log(deps, "warn", functionFailureMessage(result, verdict.kind === "invalid" ? verdict.reason : undefined), {
        error: result.ok ? undefined : result.error,
      });
      if (options.bisect && failed.length > 1) {
        counters.bisections += 1;
        const half = Math.ceil(failed.length / 2);
        queue.splice(0, 1, { ...tried, records: failed.slice(0, half), isRetry: false }, { ...tried, records: failed.slice(half), isRetry: false });
        continue;
      }
    }
    if (tried.retries >= options.maximumRetryAttempts) {
      if (!(await giveUp(deps, tried, failed, "RetryAttemptsExhausted"))) return "interrupted";
      queue.shift();
      continue;
    }
    queue[0] = { ...tried, records: failed, retries: tried.retries + 1, isRetry: true };
  }
  return "done";
}

async function invoke(deps: BatchProcessorDeps, records: readonly StreamRecord[]): Promise<InvocationResult> {
  const { counters, options } = deps;
  counters.batchesInvoked += 1;
  counters.recordsDelivered += records.length;
  const result = await invokeFunction(deps.fn, options.handler, buildKinesisEvent(records, deps.source));
  if (!result.ok) counters.functionErrors += 1;
  return result;
}

/** Records at the head of the batch older than the maximum age (arrival times never decrease). */
function countExpired(records: readonly StreamRecord[], nowMs: number, maximumAgeMs: number): number {
  if (maximumAgeMs === Infinity) return 0;
  let count = 0;
  while (count < records.length && nowMs - records[count]!.arrivalMs > maximumAgeMs) count++;
  return count;
}

async function checkpoint(deps: BatchProcessorDeps, records: readonly StreamRecord[]): Promise<void> {
  try {
    await deps.commit(records);
  } catch (error) {
    // Processing goes on with the position held in memory; only a restart would replay.
    log(deps, "error", `Cannot persist the checkpoint after ${records.at(-1)?.sequenceNumber}`, { error });
  }
}

/**
 * Sends the on-failure record for `records` (retrying the destination until it accepts, as
 * Lambda does) and checkpoints past them. False if the mapping stopped before that succeeded.
 */
async function giveUp(
  deps: BatchProcessorDeps,
  batch: PendingBatch,
  records: readonly StreamRecord[],
  condition: OnFailureCondition,
): Promise<boolean> {
  const { counters, options } = deps;
  const record = buildOnFailureRecord({
    records,
    shardId: deps.source.shardId,
    streamArn: deps.source.streamArn,
    functionArn: deps.fn.arn,
    condition,
    invokeCount: batch.invokeCount,
    lastInvocation: batch.lastInvocation,
    nowMs: options.now(),
  });
  const info = record.KinesisBatchInfo;
  log(deps, "warn", `Giving up on ${records.length} records (${condition}): ${info.startSequenceNumber}..${info.endSequenceNumber}`);
  if (deps.onFailure) {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.onFailure(record);
        break;
      } catch (error) {
        log(deps, "error", "The on-failure destination rejected a record; retrying", { error });
        if (deps.isStopping()) return false;
        await deps.sleeper.sleep(backoffMs(attempt, options.retryBackoffMs, options.maxRetryBackoffMs));
        if (deps.isStopping()) return false;
      }
    }
  } else {
    log(deps, "warn", "No on-failure destination: the records are dropped");
  }
  counters.recordsSentToOnFailure += records.length;
  counters.onFailureRecords += 1;
  await checkpoint(deps, records);
  return true;
}

function functionFailureMessage(result: InvocationResult, invalidReason: string | undefined): string {
  if (invalidReason !== undefined) return `Invalid batch response, the whole batch failed: ${invalidReason}`;
  const error = result.ok ? undefined : result.error;
  return `Function error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

function log(deps: BatchProcessorDeps, level: "warn" | "error", message: string, details: Record<string, unknown> = {}): void {
  deps.options.logger({ level, message, shardId: deps.source.shardId, functionName: deps.fn.name, ...details });
}
