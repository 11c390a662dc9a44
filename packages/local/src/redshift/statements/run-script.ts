import type { DuckDBConnection } from "@duckdb/node-api";
import { runCopy, type CopyEnvironment } from "../copy/run-copy.ts";
import { readResultSet, type ResultSet } from "../engine/results.ts";
import { UPSERT_TABLE_KEYS } from "../engine/system-tables.ts";
import type { PendingChanges } from "../engine/pending-changes.ts";
import { recordChange, recordEvent, refreshTableInfo, tableExists } from "../engine/table-health.ts";
import { SqlTranslationError, StatementCancelledError, TableMaintenanceError } from "../errors.ts";
import { localTableName, tableKey } from "../sql/maintenance.ts";
import { splitStatements } from "../sql/tokens.ts";
import { translateStatement, type Parameters } from "../sql/translate.ts";
import { runVacuum } from "./vacuum.ts";

/** What one SQL text did: the rows it returned (if it is a query) or the rows it changed. */
export interface ScriptOutcome {
  readonly result?: ResultSet;
  readonly rows: number;
}

export interface ScriptContext {
  readonly connection: DuckDBConnection;
  readonly parameters: Parameters;
  /** In a BatchExecuteStatement: the batch owns the transaction, so BEGIN/COMMIT are no-ops. */
  readonly inBatch: boolean;
  /** In a batch: its row changes, which the batch writes to the health log before it commits. */
  readonly pending?: PendingChanges;
  readonly copy: CopyEnvironment;
  readonly cancelled: () => boolean;
  /** Takes Redshift table locks until the statement's transaction ends (see TableLocks). */
  readonly lock: (tables: readonly string[]) => Promise<void>;
  /** Test-only hold inside a VACUUM's sort phase (see StatementFaults.duringVacuumSort). */
  readonly holdVacuumSort?: (table: string) => Promise<void>;
}

/**
 * Connections with a transaction block open (a BEGIN run by an ExecuteStatement, which a
 * session's later statements inherit): VACUUM refuses to run there, as in Redshift.
 */
const OPEN_TRANSACTIONS = new WeakSet<DuckDBConnection>();

/**
 * Runs one SQL text of a statement (which may hold several `;`-separated statements; the last
 * query's rows are the result) on the statement's connection.
 */
export async function runScript(sql: string, ctx: ScriptContext): Promise<ScriptOutcome> {
  const { connection } = ctx;
  let outcome: ScriptOutcome = { rows: 0 };
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new SqlTranslationError("syntax error at end of input: the SQL holds no statement");
  for (const statement of statements) {
    for (const step of translateStatement(statement, ctx.parameters)) {
      if (ctx.cancelled()) throw new StatementCancelledError();
      switch (step.kind) {
        case "sql":
          if (step.returnsRows) {
            const result = readResultSet(await connection.runAndReadAll(step.sql));
            outcome = { result, rows: result.rows.length };
          } else {
            outcome = { rows: (await connection.run(step.sql)).rowsChanged };
          }
          if (step.change) await recordChange(connection, step.change, outcome.rows, ctx.pending);
          break;
        case "copy":
          outcome = { rows: await runCopy(connection, step.copy, ctx.copy) };
          if (step.change) await recordChange(connection, step.change, outcome.rows, ctx.pending);
          break;
        case "table-keys":
          await ctx.pending?.creating(connection, step.keys.table, step.keys.temporary);
          if (!step.keys.temporary && !(step.keys.ifNotExists && (await tableExists(connection, step.keys.table)))) {
            const { table, diststyle, distkey, sortkey1, sortkeys } = step.keys;
            await connection.run(UPSERT_TABLE_KEYS, [table, diststyle ?? null, distkey ?? null, sortkey1 ?? null, sortkeys?.join(",") ?? null]);
            await recordEvent(connection, table, "create");
          }
          break;
        case "table-info":
          await ctx.pending?.flush(connection); // SVV_TABLE_INFO counts the batch's own changes
          await refreshTableInfo(connection);
          break;
        case "transaction":
          if (!ctx.inBatch) {
            await connection.run(step.action === "begin" ? "BEGIN TRANSACTION" : step.action === "commit" ? "COMMIT" : "ROLLBACK");
            if (step.action === "begin") OPEN_TRANSACTIONS.add(connection);
            else OPEN_TRANSACTIONS.delete(connection);
          }
          break;
        case "lock":
          await ctx.lock(step.tables);
          break;
        case "vacuum":
          if (ctx.inBatch || OPEN_TRANSACTIONS.has(connection)) throw new TableMaintenanceError("VACUUM cannot run inside a transaction block");
          await runVacuum(connection, step.vacuum, { cancelled: ctx.cancelled, ...(ctx.holdVacuumSort ? { holdSort: ctx.holdVacuumSort } : {}) });
          outcome = { rows: 0 };
          break;
        case "analyze":
          // DuckDB's ANALYZE refreshes its own statistics; the event resets stats_off.
          await ctx.pending?.flush(connection);
          await connection.run(step.analyze.table ? `ANALYZE ${localTableName(step.analyze.table)}` : "ANALYZE");
          await recordEvent(connection, step.analyze.table === undefined ? undefined : tableKey(step.analyze.table), "analyze");
          outcome = { rows: 0 };
          break;
      }
    }
  }
  return outcome;
}
