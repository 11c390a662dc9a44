import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
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
 * Every statement's record, newest last, persisted to `<dir>/statements.json` after each change
 * (writes coalesce) so DescribeStatement and ListStatements answer after a restart. A statement
 * that was not finished when the service stopped is FAILED when the records are loaded.
 */
export class StatementRecords {
  private readonly file: string;
  private readonly byId = new Map<string, StatementRecord>();
  private readonly limit: number;
  private writing: Promise<void> | undefined;
  private dirty = false;
  /** The next Redshift query id and process id: kept increasing across restarts. */
  nextQueryId = 1;
  nextPid = 1073741824;

  constructor(dir: string, limit = 10_000) {
    this.file = join(dir, "statements.json");
    this.limit = limit;
    if (!existsSync(this.file)) return;
    let saved: { statements: StatementRecord[]; nextQueryId: number; nextPid: number };
    try {
      saved = JSON.parse(readFileSync(this.file, "utf8"));
    } catch (cause) {
      throw new RedshiftStorageError(`cannot read ${this.file}`, { cause });
    }
    this.nextQueryId = saved.nextQueryId;
    this.nextPid = saved.nextPid;
    const now = Date.now();
    for (const record of saved.statements) {
      if (!TERMINAL.has(record.status)) markStopped(record, now);
      this.byId.set(record.id, record);
    }
  }

  add(record: StatementRecord): void {
    this.byId.set(record.id, record);
    if (this.byId.size > this.limit) {
      for (const [id, r] of this.byId) {
        if (this.byId.size <= this.limit) break;
        if (TERMINAL.has(r.status)) this.byId.delete(id);
      }
    }
    this.changed();
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

  /** Call after mutating a record: schedules a write. */
  changed(): void {
    this.dirty = true;
    if (!this.writing) this.writing = this.flushLoop();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Marks every unfinished statement as stopped by the shutdown (before its run unwinds). */
  markStopped(): void {
    const now = Date.now();
    for (const record of this.byId.values()) if (!TERMINAL.has(record.status)) markStopped(record, now);
  }

  /** Final synchronous write at shutdown, unfinished statements marked as stopped; call after `flush`. */
  closeSync(): void {
    this.markStopped();
    const tmp = `${this.file}.closing`;
    writeFileSync(tmp, this.serialize());
    renameSync(tmp, this.file);
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const tmp = `${this.file}.tmp`;
        await writeFile(tmp, this.serialize());
        await rename(tmp, this.file);
      }
    } finally {
      this.writing = undefined;
    }
  }

  private serialize(): string {
    return JSON.stringify({ nextQueryId: this.nextQueryId, nextPid: this.nextPid, statements: [...this.byId.values()] });
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
