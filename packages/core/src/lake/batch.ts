import type { PipelineConfig } from "../config.ts";
import { classifyRecord } from "../validation/classify.ts";
import { isRedrivePartitionKey, openRedrive, redrivenBy } from "../dead-letters/redrive.ts";
import type { RecordOutcome } from "../validation/outcome.ts";
import type { DeadLetter, RecordSource } from "./dead-letter.ts";
import { DEAD_LETTER_VERSION } from "./dead-letter.ts";
import { BatchBodies } from "./batch-bodies.ts";
import type { BufferPool } from "./buffer-pool.ts";
import { batchIdOf, receiptKey, type BatchRef } from "./keys.ts";
import { lakeObject, type LakeObject } from "./lake-object.ts";
import { partitionOfIso, windowLabel, type Partition } from "./partition.ts";
import { receiptOf, ReceiptTally, type BatchReceipt } from "./receipt.ts";
import type { StreamBatch, StreamRecord } from "./stream-batch.ts";

export interface BatchPlan {
  readonly batchId: string;
  readonly objects: readonly LakeObject[];
  readonly receipt: BatchReceipt;
  /**
   * Gives the NDJSON bodies' buffers back to the pool they came from (nothing to do without one).
   * Those objects' `bytes` and `body` cannot be read afterwards: the next batch writes there.
   */
  release(): void;
}

export interface PlanOptions {
  /** Where bodies are built; the caller calls `release` once the objects are written. */
  readonly pool?: BufferPool;
}

/**
 * Turns a batch into the objects it writes: one raw object (the records as received), one
 * processed object per event-time partition, one dead-letter object per reason, and a receipt
 * that accounts for every record. Keys derive from the batch's sequence range only.
 */
export function planBatch(batch: StreamBatch, config: PipelineConfig, options: PlanOptions = {}): BatchPlan {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (!first || !last) throw new RangeError("a batch has at least one record");
  const ref: BatchRef = {
    shardId: batch.shardId,
    firstSequenceNumber: first.sequenceNumber,
    lastSequenceNumber: last.sequenceNumber,
    firstArrival: first.arrivedAt,
  };

  const bodies = new BatchBodies(batch.records, options.pool);
  const tally = new ReceiptTally();
  // Records of a batch mostly share arrival times: format each distinct one once.
  const arrivalIso = lastValueCache((at: Date) => at.getTime(), (at) => at.toISOString());
  const windowOf = lastValueCache((iso: string) => iso, (iso) => windowLabel(partitionOfIso(iso)));
  for (const record of batch.records) {
    const arrival = arrivalIso(record.arrivedAt);
    const window = windowOf(arrival);
    const base64 = base64Of(record);
    bodies.appendRaw(record, arrival, base64);
    const redrive = isRedrivePartitionKey(record.partitionKey);
    const outcome = redrive ? classifyRedrive(record, config, arrival) : classifyRecord(record.data, record.arrivedAt, config, arrival);
    switch (outcome.kind) {
      case "processed":
        bodies.processed(outcome.partition).push(JSON.stringify(outcome.event));
        tally.count(window, "processed", undefined, redrive);
        break;
      case "filtered":
        tally.count(window, "filtered", outcome.eventType, redrive);
        break;
      case "rejected":
        // A redrive's dead letter keeps the envelope's bytes and the reserved key: triage sees the marker and never redrives it again.
        bodies.deadLetters(outcome.reason).push(JSON.stringify(deadLetterOf(outcome, batch, record, arrival, base64)));
        tally.count(window, "dead_lettered", outcome.reason, redrive);
        break;
    }
  }

  const objects = bodies.objects(ref);
  const receipt = receiptOf(batch, ref, tally, objects);
  objects.push(receiptObject(ref, receipt));
  return { batchId: batchIdOf(ref), objects, receipt, release: () => bodies.release() };
}

/**
 * A redrive record (reserved partition key, see `dead-letters/redrive.ts`): the event inside the
 * envelope is validated exactly as any record's bytes, keeps its `event_id` (the load's dedupe
 * then makes a second redrive or a producer retry a duplicate), and is marked with the rule and
 * the dead letter it came from. An envelope that cannot be read is a schema violation.
 */
function classifyRedrive(record: StreamRecord, config: PipelineConfig, arrival: string): RecordOutcome {
  const opened = openRedrive(record.data);
  if (!opened.ok) return { kind: "rejected", reason: "schema_violation", message: opened.message, errors: opened.errors };
  const outcome = classifyRecord(opened.eventBytes, record.arrivedAt, config, arrival);
  if (outcome.kind !== "processed") return outcome;
  const event = { ...outcome.event, redriven_by: redrivenBy(opened.marker), redriven_from: opened.marker.dead_letter_key };
  return { ...outcome, event };
}

/** The receipt is small and uploaded as it is, so it never lives in pooled memory. */
function receiptObject(ref: BatchRef, receipt: BatchReceipt): LakeObject {
  return lakeObject({
    key: receiptKey(ref),
    kind: "receipt",
    bytes: Buffer.from(JSON.stringify(receipt)),
    gzip: false,
    contentType: "application/json",
  });
}

/** The record's base64: the stream's when it is canonical for `data` (it is then JSON-safe), else freshly encoded. */
function base64Of(record: StreamRecord): string {
  const given = record.dataBase64;
  return given !== undefined && given.length === Math.ceil(record.data.byteLength / 3) * 4 ? given : toBase64(record.data);
}

function deadLetterOf(
  outcome: Extract<RecordOutcome, { kind: "rejected" }>,
  batch: StreamBatch,
  record: StreamRecord,
  arrival: string,
  base64: string,
): DeadLetter {
  return {
    dead_letter_version: DEAD_LETTER_VERSION,
    reason: outcome.reason,
    message: outcome.message,
    errors: outcome.errors,
    event_id: outcome.eventId ?? null,
    original_base64: base64,
    source: sourceOf(batch, record, arrival),
  };
}

function sourceOf(batch: StreamBatch, record: StreamRecord, arrival: string): RecordSource {
  return {
    stream_arn: batch.streamArn,
    shard_id: batch.shardId,
    sequence_number: record.sequenceNumber,
    partition_key: record.partitionKey,
    approximate_arrival: arrival,
  };
}

function toBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/** Remembers the last input's result: consecutive records usually repeat it. */
function lastValueCache<I, K, O>(keyOf: (input: I) => K, compute: (input: I) => O): (input: I) => O {
  let hasLast = false;
  let lastKey: K | undefined;
  let last: O | undefined;
  return (input) => {
    const key = keyOf(input);
    if (!hasLast || key !== lastKey) {
      hasLast = true;
      lastKey = key;
      last = compute(input);
    }
    return last as O;
  };
}
