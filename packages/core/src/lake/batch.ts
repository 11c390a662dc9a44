import type { PipelineConfig } from "../config.ts";
import type { ProcessedEvent } from "../events/processed.ts";
import { classifyRecord } from "../validation/classify.ts";
import type { DeadLetterReason } from "../validation/outcome.ts";
import type { DeadLetter, RecordSource } from "./dead-letter.ts";
import { DEAD_LETTER_VERSION } from "./dead-letter.ts";
import {
  batchIdOf,
  deadLetterKey,
  processedKey,
  rawKey,
  receiptKey,
  type BatchRef,
} from "./keys.ts";
import { partitionOfIso, type Partition } from "./partition.ts";
import { receiptOf, type BatchReceipt, type RecordFate } from "./receipt.ts";

/** A record as the stream delivered it. */
export interface StreamRecord {
  readonly data: Uint8Array;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly arrivedAt: Date;
  /** `data` as base64 when the caller already has it (Lambda's event does): spares re-encoding. */
  readonly dataBase64?: string;
}

/** One shard's batch: Lambda never mixes shards in one invocation. */
export interface StreamBatch {
  readonly streamArn: string;
  readonly shardId: string;
  readonly records: readonly StreamRecord[];
}

/** An object the batch writes to the lake. NDJSON bodies are gzipped by the writer. */
export interface LakeObject {
  readonly key: string;
  readonly kind: "raw" | "processed" | "dead_letters" | "receipt";
  readonly body: string;
  readonly gzip: boolean;
  readonly contentType: string;
}

export interface BatchPlan {
  readonly batchId: string;
  readonly objects: readonly LakeObject[];
  readonly receipt: BatchReceipt;
}

const NDJSON = "application/x-ndjson";

/**
 * Turns a batch into the objects it writes: one raw object (the records as received), one
 * processed object per event-time partition, one dead-letter object per reason, and a receipt
 * that accounts for every record. Keys derive from the batch's sequence range only.
 */
export function planBatch(batch: StreamBatch, config: PipelineConfig): BatchPlan {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (!first || !last) throw new RangeError("a batch has at least one record");
  const ref: BatchRef = {
    shardId: batch.shardId,
    firstSequenceNumber: first.sequenceNumber,
    lastSequenceNumber: last.sequenceNumber,
    firstArrival: first.arrivedAt,
  };

  const rawLines: string[] = [];
  const processed = new Map<string, { partition: Partition; lines: string[] }>();
  const dead = new Map<DeadLetterReason, string[]>();
  const fates: RecordFate[] = [];

  const arrivalIso = lastValueCache((at: Date) => at.toISOString());
  for (const record of batch.records) {
    const arrival = arrivalIso(record.arrivedAt);
    const base64 = record.dataBase64 ?? toBase64(record.data);
    rawLines.push(
      JSON.stringify({
        sequence_number: record.sequenceNumber,
        partition_key: record.partitionKey,
        approximate_arrival: arrival,
        data_base64: base64,
      }),
    );
    const outcome = classifyRecord(record.data, record.arrivedAt, config, arrival);
    const window = partitionOfIso(arrival);
    switch (outcome.kind) {
      case "processed": {
        const key = processedKey(ref, outcome.partition);
        let group = processed.get(key);
        if (!group) processed.set(key, (group = { partition: outcome.partition, lines: [] }));
        group.lines.push(serialize(outcome.event));
        fates.push({ window, fate: "processed" });
        break;
      }
      case "filtered":
        fates.push({ window, fate: "filtered", detail: outcome.eventType });
        break;
      case "rejected": {
        const letter: DeadLetter = {
          dead_letter_version: DEAD_LETTER_VERSION,
          reason: outcome.reason,
          message: outcome.message,
          errors: outcome.errors,
          event_id: outcome.eventId ?? null,
          original_base64: base64,
          source: sourceOf(batch, record, arrival),
        };
        let lines = dead.get(outcome.reason);
        if (!lines) dead.set(outcome.reason, (lines = []));
        lines.push(JSON.stringify(letter));
        fates.push({ window, fate: "dead_lettered", detail: outcome.reason });
        break;
      }
    }
  }

  const objects: LakeObject[] = [
    { key: rawKey(ref), kind: "raw", body: ndjson(rawLines), gzip: true, contentType: NDJSON },
  ];
  for (const [key, group] of processed) {
    objects.push({ key, kind: "processed", body: ndjson(group.lines), gzip: true, contentType: NDJSON });
  }
  for (const [reason, lines] of dead) {
    objects.push({ key: deadLetterKey(ref, reason), kind: "dead_letters", body: ndjson(lines), gzip: true, contentType: NDJSON });
  }
  const receipt = receiptOf(batch, ref, fates, objects);
  objects.push({
    key: receiptKey(ref),
    kind: "receipt",
    body: JSON.stringify(receipt),
    gzip: false,
    contentType: "application/json",
  });
  return { batchId: batchIdOf(ref), objects, receipt };
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

/** Records of a batch mostly share arrival times: format each distinct one once. */
function lastValueCache(format: (at: Date) => string): (at: Date) => string {
  let lastMs = Number.NaN;
  let last = "";
  return (at) => {
    const ms = at.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      last = format(at);
    }
    return last;
  };
}

function serialize(event: ProcessedEvent): string {
  return JSON.stringify(event);
}

function ndjson(lines: readonly string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
