import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * Every statement's record, newest last, persisted so DescribeStatement and ListStatements answer
 * after a restart. Changes are appended to a journal (`<dir>/statements.jsonl`, one record state
 * per line, the last one wins), coalesced for `FLUSH_DELAY_MS`, and the journal is rewritten
 * compactly once it holds several times the live records: rewriting every record on each change
 * cost more than the statements themselves once thousands had run. A statement that was not
 * finished when the service stopped is FAILED when the records are loaded.
 */
export class StatementRecords {
  private readonly file: string;
  private readonly legacyFile: string;
  private readonly byId = new Map<string, StatementRecord>();
  private readonly limit: number;
  private readonly dirty = new Set<string>();
  private journalLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** The next Redshift query id and process id: kept increasing across restarts. */
  nextQueryId = 1;
  nextPid = 1073741824;

  constructor(dir: string, limit = 10_000) {
    this.file = join(dir, "statements.jsonl");
    this.legacyFile = join(dir, "statements.json");
    this.limit = limit;
    if (existsSync(this.file)) this.loadJournal();
    else if (existsSync(this.legacyFile)) this.loadLegacy();
    else return;
    const now = Date.now();
    for (const record of this.byId.values()) if (!TERMINAL.has(record.status)) markStopped(record, now);
    this.trim();
  }

  add(record: StatementRecord): void {
    this.byId.set(record.id, record);
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
        if (this.journalLines > COMPACT_FACTOR * this.byId.size + COMPACT_SLACK) {
          this.dirty.clear();
          const tmp = `${this.file}.tmp`;
          const lines = this.allLines();
          await writeFile(tmp, lines.text);
          await rename(tmp, this.file);
          this.journalLines = lines.count;
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
      }
    } finally {
      this.writing = undefined;
    }
  }

  private line(record: StatementRecord): string {
    return JSON.stringify({ q: this.nextQueryId, p: this.nextPid, r: record });
  }

  private allLines(): { text: string; count: number } {
    let text = `${JSON.stringify({ q: this.nextQueryId, p: this.nextPid })}\n`;
    for (const record of this.byId.values()) text += `${this.line(record)}\n`;
    return { text, count: this.byId.size + 1 };
  }

  private compactSync(): void {
    const tmp = `${this.file}.closing`;
    const lines = this.allLines();
    writeFileSync(tmp, lines.text);
    renameSync(tmp, this.file);
    this.journalLines = lines.count;
    rmSync(this.legacyFile, { force: true });
  }

  /** The oldest finished statements go first once there are more than `limit`. */
  private trim(): void {
    if (this.byId.size <= this.limit) return;
    for (const [id, r] of this.byId) {
      if (this.byId.size <= this.limit) break;
      if (TERMINAL.has(r.status)) this.byId.delete(id);
    }
  }

  private loadJournal(): void {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (cause) {
      throw new RedshiftStorageError(`cannot read ${this.file}`, { cause });
    }
    const lines = text.split("\n");
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!;
      if (line === "") continue;
      let entry: { q?: number; p?: number; r?: StatementRecord };
      try {
        entry = JSON.parse(line);
      } catch (cause) {
        // A crash can tear only the last append; anything earlier is damage worth reporting.
        if (n >= lines.length - 2) break;
        throw new RedshiftStorageError(`cannot read ${this.file} line ${n + 1}`, { cause });
      }
      if (typeof entry.q === "number") this.nextQueryId = Math.max(this.nextQueryId, entry.q);
      if (typeof entry.p === "number") this.nextPid = Math.max(this.nextPid, entry.p);
      if (entry.r) {
        // Re-set so the Map's order follows the latest write of each record's first appearance.
        this.byId.set(entry.r.id, entry.r);
      }
      this.journalLines += 1;
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
    for (const record of saved.statements) this.byId.set(record.id, record);
    this.compactSync();
  }
}

/** Changes within this long are written together. */
const FLUSH_DELAY_MS = 50;
/** The journal is rewritten once it holds this many lines per live record (plus the slack). */
const COMPACT_FACTOR = 4;
const COMPACT_SLACK = 1000;

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
