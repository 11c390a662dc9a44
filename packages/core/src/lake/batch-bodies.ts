import type { DeadLetterReason } from "../validation/outcome.ts";
import type { StreamRecord } from "./stream-batch.ts";
import type { BufferPool } from "./buffer-pool.ts";
import { deadLetterKey, processedKey, rawKey, type BatchRef } from "./keys.ts";
import { lakeObject, type LakeObject, type LakeObjectKind, type Lease } from "./lake-object.ts";
import { NdjsonBuilder } from "./ndjson.ts";
import type { Partition } from "./partition.ts";

const NDJSON = "application/x-ndjson";
/** First buffer of a processed or dead-letter body; it doubles as needed. */
const GROUP_BYTES = 32 * 1024;
/** Raw lines are written once this many characters of them are gathered (see `appendRaw`). */
const RAW_FLUSH_CHARS = 16 * 1024;

interface ProcessedGroup {
  readonly partition: Partition;
  readonly lines: NdjsonBuilder;
}

/**
 * The NDJSON bodies of one batch while it is planned: the raw copy, one processed body per
 * event-time partition and one dead-letter body per reason, in the order they first appear.
 * Optionally built in pooled memory, which `release` gives back once the objects are written.
 */
export class BatchBodies {
  readonly #pool: BufferPool | undefined;
  readonly #raw: NdjsonBuilder;
  readonly #processed = new Map<string, ProcessedGroup>();
  readonly #dead = new Map<DeadLetterReason, NdjsonBuilder>();
  readonly #lease: Lease = { released: false };
  #lastGroup: ProcessedGroup | undefined;
  /** Raw lines not yet written to `#raw` (see `appendRaw`). */
  #rawPending = "";
  #rawPendingLines = 0;

  constructor(records: readonly StreamRecord[], pool?: BufferPool) {
    this.#pool = pool;
    this.#raw = new NdjsonBuilder(rawSizeHint(records), pool);
  }

  /**
   * Appends a record as received, stream coordinates and exact bytes: what JSON.stringify writes
   * for `{sequence_number, partition_key, approximate_arrival, data_base64}`, with the two values
   * that cannot need escaping (an ISO time, canonical base64) put in as they are. Lines are
   * gathered into a short string and written a few kilobytes at a time: one write of many lines
   * costs less than the four writes of each line's pieces (the base64, nine tenths of a line, is
   * then copied twice, which is cheaper still), and the string never grows large enough to be
   * more than a young-generation temporary.
   */
  appendRaw(record: StreamRecord, arrival: string, base64: string): void {
    this.#rawPending += `{"sequence_number":${JSON.stringify(record.sequenceNumber)},"partition_key":${JSON.stringify(record.partitionKey)},"approximate_arrival":"${arrival}","data_base64":"${base64}"}\n`;
    this.#rawPendingLines += 1;
    if (this.#rawPending.length >= RAW_FLUSH_CHARS) this.#flushRaw();
  }

  #flushRaw(): void {
    if (this.#rawPendingLines === 0) return;
    this.#raw.pushLines(this.#rawPending, this.#rawPendingLines);
    this.#rawPending = "";
    this.#rawPendingLines = 0;
  }

  /** The processed body of an event-time partition. */
  processed(partition: Partition): NdjsonBuilder {
    // Events of one hour share their partition object, so most lookups end here.
    if (this.#lastGroup?.partition === partition) return this.#lastGroup.lines;
    const name = `${partition.dt}/${partition.hr}`;
    let group = this.#processed.get(name);
    if (!group) this.#processed.set(name, (group = { partition, lines: new NdjsonBuilder(GROUP_BYTES, this.#pool) }));
    this.#lastGroup = group;
    return group.lines;
  }

  /** The dead-letter body of a reason. */
  deadLetters(reason: DeadLetterReason): NdjsonBuilder {
    let lines = this.#dead.get(reason);
    if (!lines) this.#dead.set(reason, (lines = new NdjsonBuilder(GROUP_BYTES, this.#pool)));
    return lines;
  }

  /** The lake objects: raw first, then processed by partition, then dead letters by reason. */
  objects(ref: BatchRef): LakeObject[] {
    this.#flushRaw();
    const object = (key: string, kind: LakeObjectKind, lines: NdjsonBuilder): LakeObject =>
      lakeObject({ key, kind, bytes: lines.finish(), gzip: true, contentType: NDJSON }, this.#lease);
    return [
      object(rawKey(ref), "raw", this.#raw),
      ...[...this.#processed.values()].map(({ partition, lines }) => object(processedKey(ref, partition), "processed", lines)),
      ...[...this.#dead].map(([reason, lines]) => object(deadLetterKey(ref, reason), "dead_letters", lines)),
    ];
  }

  /** Gives the buffers back to the pool; reading the objects afterwards throws. Idempotent. */
  release(): void {
    if (this.#lease.released) return;
    this.#lease.released = true;
    this.#raw.release();
    for (const { lines } of this.#processed.values()) lines.release();
    for (const lines of this.#dead.values()) lines.release();
  }
}

/** About the raw body's size, so its buffer is allocated once: base64 plus ~110 bytes of framing. */
function rawSizeHint(records: readonly StreamRecord[]): number {
  let bytes = 0;
  for (const r of records) {
    bytes += 128 + r.sequenceNumber.length + r.partitionKey.length + (r.dataBase64?.length ?? Math.ceil(r.data.byteLength / 3) * 4);
  }
  return bytes;
}
