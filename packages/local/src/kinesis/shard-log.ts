import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { KinesisStorageError } from "./errors.ts";

/** A record as a shard stores it: the data stays base64, as it arrives and leaves on the wire. */
export interface StoredRecord {
  readonly ordinal: number;
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly data: string;
}

export interface AppendEntry {
  readonly partitionKey: string;
  /** Base64, already validated. */
  readonly data: string;
}

export interface ShardLogOptions {
  /** A segment file is closed for writing once it reaches this size; whole segments are trimmed. */
  readonly segmentBytes?: number;
  readonly retentionMs: number;
}

/**
 * One file of a shard's log, holding the records from `firstOrdinal` on. Only the byte offset and
 * arrival time of each record stay in memory (16 bytes a record); the records are read back from
 * the file (the OS page cache makes that cheap), so memory stays bounded however much is written.
 */
interface Segment {
  readonly firstOrdinal: number;
  readonly path: string;
  readonly fd: number;
  size: number;
  readonly offsets: number[];
  readonly arrivals: number[];
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;
const TAB = "\t";

/**
 * A shard's records in append-only segment files under `dir`, one line a record:
 * `<ordinal>\t<arrival ms>\t<partition key as JSON>\t<base64 data>\n`.
 * Each append is one write, so a crash can only leave a torn last line, which `open` cuts off.
 */
export class ShardLog {
  readonly dir: string;
  readonly #segmentBytes: number;
  readonly #retentionMs: number;
  readonly #segments: Segment[] = [];
  #lastArrivalMs = 0;
  #closed = false;

  private constructor(dir: string, options: ShardLogOptions) {
    this.dir = dir;
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#retentionMs = options.retentionMs;
  }

  /** Opens (or creates) the log in `dir`, rebuilding the in-memory index from the files. */
  static open(dir: string, options: ShardLogOptions): ShardLog {
    const log = new ShardLog(dir, options);
    try {
      mkdirSync(dir, { recursive: true });
      const names = readdirSync(dir)
        .filter((name) => /^\d{16}\.log$/.test(name))
        .sort();
      for (const [i, name] of names.entries()) {
        const segment = log.#scanSegment(join(dir, name), Number(name.slice(0, 16)), i === names.length - 1);
        log.#segments.push(segment);
      }
      if (log.#segments.length === 0) log.#segments.push(log.#newSegment(0));
    } catch (error) {
      log.close();
      if (error instanceof KinesisStorageError) throw error;
      throw new KinesisStorageError(`Cannot open shard log ${dir}`, { cause: error });
    }
    return log;
  }

  /** Ordinal the next appended record gets. */
  get endOrdinal(): number {
    const last = this.#active();
    return last.firstOrdinal + last.offsets.length;
  }

  /**
   * Oldest ordinal still retained at `nowMs`. Trims lazily: segments whose every record is past
   * retention are deleted here, records past retention inside a live segment are skipped.
   */
  trimHorizon(nowMs: number): number {
    const cutoff = nowMs - this.#retentionMs;
    while (this.#segments.length > 1) {
      const first = this.#segments[0]!;
      const newest = first.arrivals.at(-1);
      if (newest !== undefined && newest >= cutoff) break;
      this.#segments.shift();
      closeSync(first.fd);
      rmSync(first.path, { force: true });
    }
    return this.firstOrdinalAtOrAfter(cutoff);
  }

  /** First ordinal whose arrival is at or after `ms` (the end ordinal when none is). */
  firstOrdinalAtOrAfter(ms: number): number {
    for (const segment of this.#segments) {
      const arrivals = segment.arrivals;
      if (arrivals.length === 0 || arrivals.at(-1)! < ms) continue;
      let lo = 0;
      let hi = arrivals.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (arrivals[mid]! >= ms) hi = mid;
        else lo = mid + 1;
      }
      return segment.firstOrdinal + lo;
    }
    return this.endOrdinal;
  }

  /** Arrival time of a retained record, undefined when the ordinal is trimmed or not yet written. */
  arrivalOf(ordinal: number): number | undefined {
    const found = this.#locate(ordinal);
    return found ? found.segment.arrivals[found.index] : undefined;
  }

  /**
   * Appends records that arrived at `arrivalMs` and returns the first one's ordinal. Arrival
   * times never go backwards within a shard, even if the clock does.
   */
  append(entries: readonly AppendEntry[], arrivalMs: number): number {
    this.#assertOpen();
    const arrival = Math.max(arrivalMs, this.#lastArrivalMs);
    let segment = this.#active();
    const expired = segment.arrivals.length > 0 && segment.arrivals.at(-1)! < arrival - this.#retentionMs;
    if (segment.offsets.length > 0 && (segment.size >= this.#segmentBytes || expired)) {
      segment = this.#newSegment(this.endOrdinal);
      this.#segments.push(segment);
    }
    const first = segment.firstOrdinal + segment.offsets.length;
    const lines: string[] = new Array(entries.length);
    const lengths: number[] = new Array(entries.length);
    let total = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const line = `${first + i}${TAB}${arrival}${TAB}${JSON.stringify(entry.partitionKey)}${TAB}${entry.data}\n`;
      lines[i] = line;
      lengths[i] = Buffer.byteLength(line);
      total += lengths[i]!;
    }
    // Encoded line by line into one buffer: one write, without a joined copy of the batch.
    const bytes = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < lines.length; i++) at += bytes.write(lines[i]!, at, "utf8");
    writeFully(segment, bytes);
    let offset = segment.size;
    for (const length of lengths) {
      segment.offsets.push(offset);
      segment.arrivals.push(arrival);
      offset += length;
    }
    segment.size = offset;
    this.#lastArrivalMs = arrival;
    return first;
  }

  /**
   * Up to `limit` records from `fromOrdinal` on (clamped to the oldest retained), stopping before
   * `maxBytes` of stored lines unless that would return nothing.
   */
  read(fromOrdinal: number, limit: number, maxBytes: number): StoredRecord[] {
    this.#assertOpen();
    const records: StoredRecord[] = [];
    let ordinal = Math.max(fromOrdinal, this.#segments[0]!.firstOrdinal);
    let budget = maxBytes;
    while (records.length < limit && budget > 0) {
      const found = this.#locate(ordinal);
      if (!found) break;
      const { segment, index } = found;
      let end = Math.min(segment.offsets.length, index + (limit - records.length));
      const endOffset = (i: number) => (i < segment.offsets.length ? segment.offsets[i]! : segment.size);
      const start = segment.offsets[index]!;
      while (end > index + 1 && endOffset(end) - start > budget) end = index + Math.max(1, (end - index) >> 1);
      if (endOffset(end) - start > budget && records.length > 0) break;
      const bytes = readRange(segment, start, endOffset(end));
      budget -= bytes.length;
      parseLines(bytes.toString("utf8"), segment.path, records);
      ordinal = segment.firstOrdinal + end;
    }
    return records;
  }

  /** Flushes to disk and releases the files. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const segment of this.#segments) {
      try {
        fsyncSync(segment.fd);
      } finally {
        closeSync(segment.fd);
      }
    }
  }

  /** Closes the log and deletes its files. */
  remove(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #active(): Segment {
    return this.#segments.at(-1)!;
  }

  #assertOpen(): void {
    if (this.#closed) throw new KinesisStorageError(`Shard log ${this.dir} is closed`);
  }

  #locate(ordinal: number): { segment: Segment; index: number } | undefined {
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      const segment = this.#segments[i]!;
      if (ordinal < segment.firstOrdinal) continue;
      const index = ordinal - segment.firstOrdinal;
      return index < segment.offsets.length ? { segment, index } : undefined;
    }
    return undefined;
  }

  #newSegment(firstOrdinal: number): Segment {
    const path = join(this.dir, `${String(firstOrdinal).padStart(16, "0")}.log`);
    return { firstOrdinal, path, fd: openSync(path, "a+"), size: 0, offsets: [], arrivals: [] };
  }

  /**
   * Indexes a segment file. A last line without its newline is the remnant of a write cut short
   * by a crash and is cut off; a malformed complete line means the files were damaged otherwise,
   * and refusing to start beats silently dropping the records after it.
   */
  #scanSegment(path: string, firstOrdinal: number, isLast: boolean): Segment {
    const fd = openSync(path, "a+");
    try {
      return this.#indexSegment({ firstOrdinal, path, fd, size: 0, offsets: [], arrivals: [] }, isLast);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  #indexSegment(segment: Segment, isLast: boolean): Segment {
    const { fd, path, firstOrdinal } = segment;
    const fileSize = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
    let carry = "";
    let carryStart = 0;
    let position = 0;
    while (position < fileSize) {
      const read = readSync(fd, chunk, 0, Math.min(chunk.length, fileSize - position), position);
      if (read === 0) break;
      // latin1 maps bytes 1:1 to characters, so string indices are byte offsets.
      const text = carry + chunk.toString("latin1", 0, read);
      const textStart = carryStart;
      let lineStart = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", lineStart)) {
        const expected = firstOrdinal + segment.offsets.length;
        const arrival = lineArrival(text, lineStart, nl, expected);
        if (arrival === undefined) {
          throw new KinesisStorageError(`Damaged record ${expected} at byte ${textStart + lineStart} of ${path}`);
        }
        segment.offsets.push(textStart + lineStart);
        segment.arrivals.push(arrival);
        this.#lastArrivalMs = Math.max(this.#lastArrivalMs, arrival);
        lineStart = nl + 1;
      }
      carry = text.slice(lineStart);
      carryStart = textStart + lineStart;
      position += read;
    }
    segment.size = carryStart;
    if (carry.length > 0) {
      if (!isLast) throw new KinesisStorageError(`Torn record inside ${path}, which is not the last segment`);
      ftruncateSync(fd, carryStart);
    }
    return segment;
  }
}

/** The arrival time of a complete line, or undefined if the line is not record `expected`. */
function lineArrival(text: string, start: number, end: number, expected: number): number | undefined {
  const tab1 = text.indexOf(TAB, start);
  const tab2 = tab1 < 0 ? -1 : text.indexOf(TAB, tab1 + 1);
  const tab3 = tab2 < 0 ? -1 : text.indexOf(TAB, tab2 + 1);
  if (tab1 <= start || tab3 < 0 || tab3 > end) return undefined;
  if (Number(text.slice(start, tab1)) !== expected) return undefined;
  const arrival = Number(text.slice(tab1 + 1, tab2));
  return Number.isFinite(arrival) ? arrival : undefined;
}

function parseLines(text: string, path: string, into: StoredRecord[]): void {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf("\n", start);
    const tab1 = text.indexOf(TAB, start);
    const tab2 = text.indexOf(TAB, tab1 + 1);
    const tab3 = text.lastIndexOf(TAB, end);
    if (end < 0 || tab1 < 0 || tab2 <= tab1 || tab3 <= tab2) {
      throw new KinesisStorageError(`Damaged record line at ${path}`);
    }
    into.push({
      ordinal: Number(text.slice(start, tab1)),
      arrivalMs: Number(text.slice(tab1 + 1, tab2)),
      partitionKey: JSON.parse(text.slice(tab2 + 1, tab3)) as string,
      data: text.slice(tab3 + 1, end),
    });
    start = end + 1;
  }
}

function readRange(segment: Segment, start: number, end: number): Buffer {
  const bytes = Buffer.allocUnsafe(end - start);
  let done = 0;
  while (done < bytes.length) {
    const read = readSync(segment.fd, bytes, done, bytes.length - done, start + done);
    if (read === 0) throw new KinesisStorageError(`Unexpected end of ${segment.path}`);
    done += read;
  }
  return bytes;
}

/** Writes all of `bytes`; on failure cuts the file back so no partial line is left behind. */
function writeFully(segment: Segment, bytes: Buffer): void {
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(segment.fd, bytes, done, bytes.length - done);
  } catch (error) {
    try {
      ftruncateSync(segment.fd, segment.size);
    } catch {
      // The original error says more than a failed clean-up would.
    }
    throw new KinesisStorageError(`Cannot append to ${segment.path}`, { cause: error });
  }
}
