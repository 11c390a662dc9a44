import type { DuckDBConnection } from "@duckdb/node-api";
import type { S3Client } from "@aws-sdk/client-s3";
import { recordLoadErrors } from "../copy/load-errors.ts";
import type { CopyEnvironment } from "../copy/run-copy.ts";
import type { DatabaseEngine } from "../engine/databases.ts";
import { PendingChanges } from "../engine/pending-changes.ts";
import type { ResultStore } from "./result-store.ts";
import { StatementCancelledError } from "../errors.ts";
import type { Parameters } from "../sql/translate.ts";
import type { StatementFaults } from "./faults.ts";
import { TERMINAL, type StatementProgress, type StatementRecord, type StatementRecords } from "./records.ts";
import { runScript, type ScriptOutcome } from "./run-script.ts";
import { TableLocks } from "./table-locks.ts";

/** A Data API session (SessionKeepAliveSeconds): one DuckDB connection kept between statements. */
interface Session {
  readonly id: string;
  readonly database: string;
  readonly connection: Promise<DuckDBConnection>;
  keepAliveSeconds: number;
  busy: boolean;
  timer?: NodeJS.Timeout;
}

interface Running {
  connection?: DuckDBConnection;
  cancelled: boolean;
  /** Settles when the statement is cancelled or the service stops (ends a `beforeCommit` hold). */
  readonly stopped: Promise<void>;
  readonly stop: () => void;
}

export interface RunnerOptions {
  readonly engine: DatabaseEngine;
  readonly records: StatementRecords;
  readonly s3: () => S3Client;
  /** Results for GetStatementResult, by statement or sub-statement id. */
  readonly results: ResultStore;
  /** See RedshiftDataServiceOptions.objectFile. */
  readonly objectFile?: (bucket: string, key: string) => Promise<string | undefined>;
  /** See RedshiftDataServiceOptions.faults. */
  readonly faults?: StatementFaults;
}

/**
 * Runs statements in the background, as Redshift does: `start` returns at once and the record
 * moves SUBMITTED → PICKED → STARTED → FINISHED | FAILED | ABORTED. DuckDB's Node API runs
 * queries off the event loop, so the endpoint keeps answering while they run.
 */
export class StatementRunner {
  private readonly options: RunnerOptions;
  private readonly running = new Map<string, Running>();
  private readonly sessions = new Map<string, Session>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly locks = new TableLocks();

  constructor(options: RunnerOptions) {
    this.options = options;
  }

  /** Opens a session for `record`'s database (ExecuteStatement with SessionKeepAliveSeconds). */
  openSession(id: string, database: string, keepAliveSeconds: number): void {
    const connection = this.options.engine.connect(database);
    connection.catch(() => this.sessions.delete(id));
    this.sessions.set(id, { id, database, connection, keepAliveSeconds, busy: false });
  }

  session(id: string): { database: string; busy: boolean } | undefined {
    return this.sessions.get(id);
  }

  start(record: StatementRecord, parameters: Parameters, keepAliveSeconds?: number): void {
    const session = record.sessionId ? this.sessions.get(record.sessionId) : undefined;
    if (session) {
      session.busy = true;
      clearTimeout(session.timer);
      if (keepAliveSeconds !== undefined) session.keepAliveSeconds = keepAliveSeconds;
    }
    const state = running();
    this.running.set(record.id, state);
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(record, parameters, state, session))
      .finally(() => {
        this.running.delete(record.id);
        this.tasks.delete(task);
      });
    this.tasks.add(task);
  }

  /** Asks a running statement to stop; false if it had already ended. */
  cancel(id: string): boolean {
    const state = this.running.get(id);
    if (!state) return false;
    interrupt(state);
    return true;
  }

  /** Interrupts everything, waits for the statements to unwind, closes sessions. */
  async close(): Promise<void> {
    for (const state of this.running.values()) interrupt(state);
    await Promise.allSettled([...this.tasks]);
    for (const session of this.sessions.values()) {
      clearTimeout(session.timer);
      const connection = await session.connection.catch(() => undefined);
      if (connection) this.options.engine.release(connection);
    }
    this.sessions.clear();
  }

  private async run(record: StatementRecord, parameters: Parameters, state: Running, session: Session | undefined): Promise<void> {
    const { engine, records, results } = this.options;
    const set = (p: StatementProgress, patch: Partial<StatementProgress>) => {
      Object.assign(p, patch, { updatedAt: Date.now() });
      records.changed(record.id);
    };
    set(record, { status: "PICKED" });
    let connection: DuckDBConnection | undefined;
    let transaction = false;
    const locks = this.locks.holder(record.database);
    const lock = async (tables: readonly string[]) => {
      await locks.take(tables);
      if (state.cancelled) throw new StatementCancelledError();
    };
    const holdVacuumSort = this.vacuumHold(record, state);
    try {
      connection = session ? await session.connection : await engine.connect(record.database);
      state.connection = connection;
      if (state.cancelled) throw new StatementCancelledError();
      const startedAt = Date.now();
      set(record, { status: "STARTED", startedAt });
      const copy = this.copyEnvironment(record);
      if (record.isBatch) {
        // Redshift takes a transaction's snapshot at its first query, after a leading LOCK: taking
        // those locks before BEGIN lets the waiter see what the holder committed, as there.
        await lock(leadingLockTables(record.subStatements!.map((sub) => sub.queryString)));
        await connection.run("BEGIN TRANSACTION");
        transaction = true;
        let total = 0;
        let size = 0;
        const pending = new PendingChanges();
        for (const sub of record.subStatements!) {
          const subStart = Date.now();
          set(sub, { status: "STARTED", startedAt: subStart, redshiftQueryId: records.nextQueryId++ });
          let outcome: ScriptOutcome;
          try {
            outcome = await runScript(sub.queryString, { connection, parameters, inBatch: true, pending, copy: copy(sub.redshiftQueryId), cancelled: () => state.cancelled, lock, ...holdVacuumSort });
          } catch (error) {
            set(sub, failure(error, state, subStart));
            for (const rest of record.subStatements!) if (rest.status === "SUBMITTED") set(rest, { status: "ABORTED" });
            throw error;
          }
          if (outcome.result) results.set(sub.id, outcome.result);
          total += outcome.rows;
          size += outcome.result?.size ?? 0;
          set(sub, { status: "FINISHED", hasResultSet: outcome.result !== undefined, resultRows: outcome.rows, resultSize: outcome.result?.size ?? 0, durationNs: (Date.now() - subStart) * 1e6 });
        }
        await pending.flush(connection);
        await this.holdBeforeCommit(record, state);
        await connection.run("COMMIT");
        transaction = false;
        set(record, { status: "FINISHED", hasResultSet: record.subStatements!.some((s) => s.hasResultSet), resultRows: total, resultSize: size, durationNs: (Date.now() - startedAt) * 1e6 });
      } else {
        const outcome = await runScript(record.queryString!, { connection, parameters, inBatch: false, copy: copy(record.redshiftQueryId), cancelled: () => state.cancelled, lock, ...holdVacuumSort });
        if (outcome.result) results.set(record.id, outcome.result);
        set(record, { status: "FINISHED", hasResultSet: outcome.result !== undefined, resultRows: outcome.rows, resultSize: outcome.result?.size ?? 0, durationNs: (Date.now() - startedAt) * 1e6 });
      }
    } catch (error) {
      if (transaction && connection) await connection.run("ROLLBACK").catch(() => undefined);
      if (!TERMINAL.has(record.status)) set(record, failure(error, state, record.startedAt ?? Date.now()));
    } finally {
      locks.releaseAll();
      if (session) {
        session.busy = false;
        session.timer = setTimeout(() => this.endSession(session), session.keepAliveSeconds * 1000);
        session.timer.unref();
      } else if (connection) {
        engine.release(connection);
      }
    }
  }

  /** The `beforeCommit` fault, if set: waits for its release or for a cancel or stop. */
  private async holdBeforeCommit(record: StatementRecord, state: Running): Promise<void> {
    const { id, statementName, subStatements } = record;
    const hold = this.options.faults?.beforeCommit?.({ id, ...(statementName ? { statementName } : {}), queryStrings: subStatements!.map((s) => s.queryString) });
    if (!hold) return;
    await Promise.race([hold, state.stopped]);
    if (state.cancelled) throw new StatementCancelledError();
  }

  /** The `duringVacuumSort` fault, if set, as runScript's hold: ends at its release or a cancel or stop. */
  private vacuumHold(record: StatementRecord, state: Running): { holdVacuumSort?: (table: string) => Promise<void> } {
    const fault = this.options.faults?.duringVacuumSort;
    if (!fault) return {};
    const { id, statementName } = record;
    return {
      holdVacuumSort: async (table) => {
        const hold = fault({ id, ...(statementName ? { statementName } : {}), table });
        if (hold) await Promise.race([hold, state.stopped]);
      },
    };
  }

  private endSession(session: Session): void {
    if (session.busy || this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    void session.connection.then((c) => this.options.engine.release(c), () => undefined);
  }

  private copyEnvironment(record: StatementRecord): (queryId: number) => CopyEnvironment {
    const { engine } = this.options;
    return (queryId) => ({
      s3: this.options.s3(),
      ...(this.options.objectFile ? { objectFile: this.options.objectFile } : {}),
      recordErrors: async (errors, tableId) => {
        const connection = await engine.connect(record.database);
        try {
          await recordLoadErrors(connection, errors, { queryId, sessionId: record.redshiftPid, database: record.database, tableId, startTime: new Date(record.startedAt ?? Date.now()) });
        } finally {
          engine.release(connection);
        }
      },
    });
  }
}

/** A statement's run state before anything interrupts it. */
function running(): Running {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  return { cancelled: false, stopped, stop };
}

/** A cancel or a stop: flags the run, interrupts its query, and ends a `beforeCommit` hold. */
function interrupt(state: Running): void {
  state.cancelled = true;
  state.connection?.interrupt();
  state.stop();
}

/** Tables of the batch's leading `LOCK` sub-statements (those before any other statement). */
function leadingLockTables(sqls: readonly (string | undefined)[]): string[] {
  const tables: string[] = [];
  for (const sql of sqls) {
    const match = /^\s*LOCK\s+(?:TABLE\s+)?([\w."$]+(?:\s*,\s*[\w."$]+)*)\s*;?\s*$/i.exec(sql ?? "");
    if (!match) break;
    for (const name of match[1]!.split(",")) tables.push(name.includes('"') ? name.trim().replaceAll('"', "") : name.trim().toLowerCase());
  }
  return tables;
}

function failure(error: unknown, state: Running, startedAt: number): Partial<StatementProgress> {
  const durationNs = (Date.now() - startedAt) * 1e6;
  if (state.cancelled || error instanceof StatementCancelledError) {
    return { status: "ABORTED", error: "Query cancelled on user's request", durationNs };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: "FAILED", error: message.startsWith("ERROR:") ? message : `ERROR: ${message}`, durationNs };
}
