import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { appendFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RedshiftStorageError } from "../errors.ts";

export type StatementStatus = "SUBMITTED" | "PICKED" | "STARTED" | "FINISHED" | "FAILED" | "ABORTED";

export const TERMINAL: ReadonlySet<StatementStatus> = new Set(["FINISHED", "FAILED", "ABORTED"]);

/** What DescribeStatement reports about one SQL statement (a whole statement or a batch member). */
export interface StatementProgress {
  status: StatementStatus;
  error?: string;
  hasResultSet: boolean;
  resultRows: number;
  resultSize: number;
  redshiftQueryId: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  /** Nanoseconds, -1 until the statement ends. */
  durationNs: number;
}

export interface SubStatementRecord extends StatementProgress {
  readonly id: string;
  readonly queryString: string;
}

export interface StatementRecord extends StatementProgress {
  readonly id: string;
  readonly isBatch: boolean;
  readonly queryString?: string;
  readonly queryStrings?: readonly string[];
  readonly database: string;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
  readonly dbUser?: string;
  readonly secretArn?: string;
  readonly statementName?: string;
  readonly queryParameters?: readonly { name: string; value: string }[];
  readonly sessionId?: string;
  readonly redshiftPid: number;
  readonly subStatements?: SubStatementRecord[];
}

const STOPPED_MESSAGE = "The local Redshift service stopped while this statement was running; its transaction was rolled back";

/** How many records are kept, and how much SQL text they may hold together. */
export interface RecordLimits {
  /** Statements (default 10,000). */
  readonly count?: number;
  /**
   * Characters of SQL across the kept records (default 32 Mi). A load's batch carries up to
   * ~200,000 characters: without this bound 10,000 of them held gigabytes in memory and on disk,
   * and an `npm start` of an hour and a half died rewriting its journal as one string.
   */
  readonly sqlChars?: number;
}

/**
 * Every statement's record, newest last, persisted so DescribeStatement and ListStatements answer
 * after a restart. Changes are appended to a journal (`<dir>/statements.jsonl`, one record state
 * per line, the last one wins), coalesced for `FLUSH_DELAY_MS`, and the journal is rewritten
 * compactly once it holds several times the live records (in lines or in characters): rewriting
 * every record on each change cost more than the statements themselves once thousands had run.
 * The oldest finished records go once there are more than the limits allow (`RecordLimits`), as
 * the Data API forgets statements after a day. A statement that was not finished when the service
 * stopped is FAILED when the records are loaded.
 */
export class StatementRecords {
  private readonly file: string;
  private readonly legacyFile: string;
  private readonly byId = new Map<string, StatementRecord>();
  private readonly limit: number;
  private readonly sqlCharsLimit: number;
  /** SQL characters of the records in `byId`. */
  private sqlChars = 0;
  private readonly dirty = new Set<string>();
  private journalLines = 0;
  /** Characters in the journal file (as written or read). */
  private journalChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** The next Redshift query id and process id: kept increasing across restarts. */
  nextQueryId = 1;
  nextPid = 1073741824;

  /** Removes what the store kept for a record that was let go (its results). */
  onForget: ((record: StatementRecord) => void) | undefined;

  constructor(dir: string, limits: RecordLimits = {}) {
    this.file = join(dir, "statements.jsonl");
    this.legacyFile = join(dir, "statements.json");
    this.limit = limits.count ?? 10_000;
    this.sqlCharsLimit = limits.sqlChars ?? 32 * 1024 * 1024;
    if (existsSync(this.file)) this.loadJournal();
    else if (existsSync(this.legacyFile)) this.loadLegacy();
    else return;
    const now = Date.now();
    for (const record of this.byId.values()) if (!TERMINAL.has(record.status)) markStopped(record, now);
    this.trim();
  }

  add(record: StatementRecord): void {
    this.set(record);
    this.trim();
    this.changed(record.id);
  }

  get(id: string): StatementRecord | undefined {
    return this.byId.get(id);
  }

  /** Newest first. */
  list(): StatementRecord[] {
    return [...this.byId.values()].reverse();
  }

  active(): number {
    let n = 0;
    for (const r of this.byId.values()) if (!TERMINAL.has(r.status)) n++;
    return n;
  }

  /** Call after mutating statement `id` (or one of its sub-statements): schedules its write. */
  changed(id: string): void {
    this.dirty.add(id);
    if (this.timer === undefined && this.writing === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.writing = this.flushLoop();
      }, FLUSH_DELAY_MS);
    }
  }

  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.writing === undefined) this.writing = this.flushLoop();
    }
    while (this.writing) await this.writing;
  }

  /** Marks every unfinished statement as stopped by the shutdown (before its run unwinds). */
  markStopped(): void {
    const now = Date.now();
    for (const record of this.byId.values()) if (!TERMINAL.has(record.status)) markStopped(record, now);
  }

  /** Final synchronous write at shutdown, unfinished statements marked as stopped; call after `flush`. */
  closeSync(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.markStopped();
    this.dirty.clear();
    this.compactSync();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.dirty.size > 0) {
        if (this.journalNeedsCompaction()) {
          this.dirty.clear();
          const tmp = `${this.file}.tmp`;
          // Line by line: the whole journal as one string can exceed V8's longest string.
          const lines = this.allLines();
          await writeFile(tmp, lines);
          await rename(tmp, this.file);
          this.journalLines = this.byId.size + 1;
          this.journalChars = this.sqlChars;
          continue;
        }
        const ids = [...this.dirty];
        this.dirty.clear();
        let text = "";
        let count = 0;
        for (const id of ids) {
          const record = this.byId.get(id);
          if (!record) continue;
          text += `${this.line(record)}\n`;
          count += 1;
        }
        if (count === 0) continue;
        await appendFile(this.file, text);
        this.journalLines += count;
        this.journalChars += text.length;
      }
    } finally {
      this.writing = undefined;
    }
  }

  private line(record: StatementRecord): string {
    return JSON.stringify({ q: this.nextQueryId, p: this.nextPid, r: record });
  }

  /** The header line (ids), then one line per record. */
  private *allLines(): Generator<string> {
    yield `${JSON.stringify({ q: this.nextQueryId, p: this.nextPid })}\n`;
    for (const record of this.byId.values()) yield `${this.line(record)}\n`;
  }

  private journalNeedsCompaction(): boolean {
    return this.journalLines > COMPACT_FACTOR * this.byId.size + COMPACT_SLACK || this.journalChars > COMPACT_FACTOR * this.sqlChars + COMPACT_SLACK_CHARS;
  }

  private compactSync(): void {
    const tmp = `${this.file}.closing`;
    const fd = openSync(tmp, "w");
    try {
      for (const line of this.allLines()) writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.journalLines = this.byId.size + 1;
    this.journalChars = this.sqlChars;
    rmSync(this.legacyFile, { force: true });
  }

  /** Keeps `record` (a newer state of a kept one replaces it) and its SQL characters' count. */
  private set(record: StatementRecord): void {
    const previous = this.byId.get(record.id);
    if (previous) this.sqlChars -= sqlCharsOf(previous);
    this.byId.set(record.id, record);
    this.sqlChars += sqlCharsOf(record);
  }

  /** The oldest finished statements go first once there are more than the limits allow. */
  private trim(): void {
    if (this.byId.size <= this.limit && this.sqlChars <= this.sqlCharsLimit) return;
    for (const [id, r] of this.byId) {
      if (this.byId.size <= this.limit && this.sqlChars <= this.sqlCharsLimit) break;
      if (!TERMINAL.has(r.status)) continue;
      this.byId.delete(id);
      this.sqlChars -= sqlCharsOf(r);
      this.onForget?.(r);
    }
  }

  /**
   * Reads the journal line by line (a journal from before the limits could be gigabytes: more
   * than one string holds), trimming as it goes so that memory stays within the limits.
   */
  private loadJournal(): void {
    let n = 0;
    let torn: RedshiftStorageError | undefined;
    try {
      for (const line of readLinesSync(this.file)) {
        n += 1;
        if (torn) throw torn;
        if (line === "") continue;
        let entry: { q?: number; p?: number; r?: StatementRecord };
        try {
          entry = JSON.parse(line);
        } catch (cause) {
          // A crash can tear only the last append; anything earlier is damage worth reporting.
          torn = new RedshiftStorageError(`cannot read ${this.file} line ${n}`, { cause });
          continue;
        }
        if (typeof entry.q === "number") this.nextQueryId = Math.max(this.nextQueryId, entry.q);
        if (typeof entry.p === "number") this.nextPid = Math.max(this.nextPid, entry.p);
        if (entry.r) {
          // A later state replaces the record in place: the order stays that of first appearance.
          this.set(entry.r);
          this.trim();
        }
        this.journalLines += 1;
        this.journalChars += line.length + 1;
      }
    } catch (cause) {
      if (cause instanceof RedshiftStorageError) throw cause;
      throw new RedshiftStorageError(`cannot read ${this.file}`, { cause });
    }
  }

  /** The single-file format earlier versions wrote: read once, then replaced by the journal. */
  private loadLegacy(): void {
    let saved: { statements: StatementRecord[]; nextQueryId: number; nextPid: number };
    try {
      saved = JSON.parse(readFileSync(this.legacyFile, "utf8"));
    } catch (cause) {
      throw new RedshiftStorageError(`cannot read ${this.legacyFile}`, { cause });
    }
    this.nextQueryId = saved.nextQueryId;
    this.nextPid = saved.nextPid;
    for (const record of saved.statements) this.set(record);
    this.trim();
    this.compactSync();
  }
}

/** Changes within this long are written together. */
const FLUSH_DELAY_MS = 50;
/** The journal is rewritten once it holds this many lines per live record (plus the slack). */
const COMPACT_FACTOR = 4;
const COMPACT_SLACK = 1000;
const COMPACT_SLACK_CHARS = 4 * 1024 * 1024;

/** The SQL a record carries (what makes one large): its statement, or its batch's and their copies. */
function sqlCharsOf(record: StatementRecord): number {
  let n = record.queryString?.length ?? 0;
  for (const sql of record.queryStrings ?? []) n += sql.length;
  for (const sub of record.subStatements ?? []) n += sub.queryString.length;
  return n;
}

const READ_CHUNK = 8 * 1024 * 1024;

/** The lines of a file, read in chunks (no line is longer than a string may be). */
function* readLinesSync(file: string): Generator<string> {
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    let carried: Buffer[] = [];
    for (;;) {
      const read = readSync(fd, chunk, 0, READ_CHUNK, null);
      if (read === 0) break;
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1 && nl < read; nl = chunk.indexOf(10, start)) {
        carried.push(chunk.subarray(start, nl));
        yield Buffer.concat(carried).toString("utf8");
        carried = [];
        start = nl + 1;
      }
      if (start < read) carried.push(Buffer.from(chunk.subarray(start, read)));
    }
    if (carried.length > 0) yield Buffer.concat(carried).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function markStopped(record: StatementRecord, now: number): void {
  const stop = (p: StatementProgress) => {
    if (TERMINAL.has(p.status)) return;
    p.status = "FAILED";
    p.error = STOPPED_MESSAGE;
    p.updatedAt = now;
  };
  stop(record);
  for (const sub of record.subStatements ?? []) {
    if (sub.status === "SUBMITTED") {
      sub.status = "ABORTED";
      sub.updatedAt = now;
    } else stop(sub);
  }
}
