import type { LakeObject, StreamBatch } from "./batch.ts";
import { batchIdOf, type BatchRef } from "./keys.ts";
import type { Partition } from "./partition.ts";

export const RECEIPT_VERSION = 1;

/** What happened to one record, by the hour it arrived in (the accounting window). */
export interface RecordFate {
  readonly window: Partition;
  readonly fate: "processed" | "filtered" | "dead_lettered";
  /** Event type of a filtered record, reason of a dead letter. */
  readonly detail?: string;
}

export interface WindowCounts {
  /** Arrival hour, `YYYY-MM-DDTHH` UTC. */
  readonly window: string;
  readonly received: number;
  readonly processed: number;
  readonly filtered: number;
  readonly dead_lettered: number;
}

/**
 * Accounts for every record of a batch, written beside its objects under `receipts/`.
 * `received = processed + filtered + dead_lettered` holds by construction, per window; the
 * warehouse audit sums receipts, which is how filtered events are counted without being stored.
 */
export interface BatchReceipt {
  readonly receipt_version: number;
  readonly batch_id: string;
  readonly stream_arn: string;
  readonly shard_id: string;
  readonly first_sequence_number: string;
  readonly last_sequence_number: string;
  readonly received: number;
  readonly processed: number;
  readonly filtered: number;
  readonly dead_lettered: number;
  readonly filtered_by_type: Readonly<Record<string, number>>;
  readonly dead_lettered_by_reason: Readonly<Record<string, number>>;
  readonly windows: readonly WindowCounts[];
  readonly objects: readonly string[];
}

export function receiptOf(
  batch: StreamBatch,
  ref: BatchRef,
  fates: readonly RecordFate[],
  objects: readonly LakeObject[],
): BatchReceipt {
  const windows = new Map<string, { received: number; processed: number; filtered: number; dead_lettered: number }>();
  const filteredByType = new Map<string, number>();
  const deadByReason = new Map<string, number>();
  const totals = { processed: 0, filtered: 0, dead_lettered: 0 };
  for (const { window, fate, detail } of fates) {
    const name = `${window.dt}T${window.hr}`;
    let counts = windows.get(name);
    if (!counts) windows.set(name, (counts = { received: 0, processed: 0, filtered: 0, dead_lettered: 0 }));
    counts.received += 1;
    counts[fate] += 1;
    totals[fate] += 1;
    if (fate === "filtered" && detail) filteredByType.set(detail, (filteredByType.get(detail) ?? 0) + 1);
    if (fate === "dead_lettered" && detail) deadByReason.set(detail, (deadByReason.get(detail) ?? 0) + 1);
  }
  return {
    receipt_version: RECEIPT_VERSION,
    batch_id: batchIdOf(ref),
    stream_arn: batch.streamArn,
    shard_id: batch.shardId,
    first_sequence_number: ref.firstSequenceNumber,
    last_sequence_number: ref.lastSequenceNumber,
    received: fates.length,
    ...totals,
    filtered_by_type: Object.fromEntries(filteredByType),
    dead_lettered_by_reason: Object.fromEntries(deadByReason),
    windows: [...windows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([window, c]) => ({ window, ...c })),
    objects: objects.map((o) => o.key),
  };
}
