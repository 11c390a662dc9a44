import type { StreamBatch } from "./stream-batch.ts";
import type { LakeObject } from "./lake-object.ts";
import { batchIdOf, type BatchRef } from "./keys.ts";

/** 2 added `redriven`; readers take a receipt without it as 0. */
export const RECEIPT_VERSION = 2;

export interface WindowCounts {
  /** Arrival hour, `YYYY-MM-DDTHH` UTC. */
  readonly window: string;
  readonly received: number;
  /** Records that were triage's redrives of repaired dead letters (absent from version-1 receipts: 0). */
  readonly redriven?: number;
  readonly processed: number;
  readonly filtered: number;
  readonly dead_lettered: number;
}

/**
 * Accounts for every record of a batch, written beside its objects under `receipts/`.
 * `received + redriven = processed + filtered + dead_lettered` holds by construction, per window:
 * a redrive (a repaired dead letter triage put back on the stream) was received once already, so
 * it is counted as `redriven`, never as `received` again. The
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
  readonly redriven: number;
  readonly processed: number;
  readonly filtered: number;
  readonly dead_lettered: number;
  readonly filtered_by_type: Readonly<Record<string, number>>;
  readonly dead_lettered_by_reason: Readonly<Record<string, number>>;
  readonly windows: readonly WindowCounts[];
  readonly objects: readonly string[];
}

export type Fate = "processed" | "filtered" | "dead_lettered";

interface Counts {
  received: number;
  redriven: number;
  processed: number;
  filtered: number;
  dead_lettered: number;
}

/**
 * Counts what happened to each record of a batch, by the hour it arrived in (the accounting
 * window), as the batch is planned; `receiptOf` turns the counts into the receipt.
 */
export class ReceiptTally {
  readonly #windows = new Map<string, Counts>();
  readonly #filteredByType = new Map<string, number>();
  readonly #deadByReason = new Map<string, number>();
  readonly #totals: Counts = { received: 0, redriven: 0, processed: 0, filtered: 0, dead_lettered: 0 };
  // Consecutive records almost always share their window.
  #lastWindow: string | undefined;
  #lastCounts: Counts | undefined;

  /**
   * `window` is the arrival hour `YYYY-MM-DDTHH`; `detail` the event type of a filtered record or a
   * dead letter's reason; `redriven` for a redrive record, which arrives as `redriven`, not `received`.
   */
  count(window: string, fate: Fate, detail?: string, redriven = false): void {
    let counts = window === this.#lastWindow ? this.#lastCounts : this.#windows.get(window);
    if (!counts) this.#windows.set(window, (counts = { received: 0, redriven: 0, processed: 0, filtered: 0, dead_lettered: 0 }));
    this.#lastWindow = window;
    this.#lastCounts = counts;
    const arrival = redriven ? "redriven" : "received";
    counts[arrival] += 1;
    counts[fate] += 1;
    this.#totals[arrival] += 1;
    this.#totals[fate] += 1;
    if (fate === "filtered" && detail) increment(this.#filteredByType, detail);
    if (fate === "dead_lettered" && detail) increment(this.#deadByReason, detail);
  }

  get totals(): Readonly<Counts> {
    return this.#totals;
  }

  get filteredByType(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#filteredByType);
  }

  get deadLetteredByReason(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#deadByReason);
  }

  /** Per-window counts, oldest window first. */
  get windows(): WindowCounts[] {
    return [...this.#windows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([window, c]) => ({ window, ...c }));
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export function receiptOf(batch: StreamBatch, ref: BatchRef, tally: ReceiptTally, objects: readonly LakeObject[]): BatchReceipt {
  const { received, redriven, processed, filtered, dead_lettered } = tally.totals;
  return {
    receipt_version: RECEIPT_VERSION,
    batch_id: batchIdOf(ref),
    stream_arn: batch.streamArn,
    shard_id: batch.shardId,
    first_sequence_number: ref.firstSequenceNumber,
    last_sequence_number: ref.lastSequenceNumber,
    received,
    redriven,
    processed,
    filtered,
    dead_lettered,
    filtered_by_type: tally.filteredByType,
    dead_lettered_by_reason: tally.deadLetteredByReason,
    windows: tally.windows,
    objects: objects.map((o) => o.key),
  };
}
