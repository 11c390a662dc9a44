import type { DuckDBConnection } from "@duckdb/node-api";
import { runCopy, type CopyEnvironment } from "../copy/run-copy.ts";
import { readResultSet, type ResultSet } from "../engine/results.ts";
import { UPSERT_TABLE_KEYS } from "../engine/system-tables.ts";
import { SqlTranslationError, StatementCancelledError } from "../errors.ts";
import { splitStatements } from "../sql/tokens.ts";
import { translateStatement, type Parameters } from "../sql/translate.ts";

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
  readonly copy: CopyEnvironment;
  readonly cancelled: () => boolean;
  /** Takes Redshift table locks until the statement's transaction ends (see TableLocks). */
  readonly lock: (tables: readonly string[]) => Promise<void>;
}

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
          break;
        case "copy":
          outcome = { rows: await runCopy(connection, step.copy, ctx.copy) };
          break;
        case "table-keys":
          if (!step.keys.temporary) {
            const { table, diststyle, distkey, sortkey1 } = step.keys;
            await connection.run(UPSERT_TABLE_KEYS, [table, diststyle ?? null, distkey ?? null, sortkey1 ?? null]);
          }
          break;
        case "transaction":
          if (!ctx.inBatch) {
            await connection.run(step.action === "begin" ? "BEGIN TRANSACTION" : step.action === "commit" ? "COMMIT" : "ROLLBACK");
          }
          break;
        case "lock":
          await ctx.lock(step.tables);
          break;
        case "vacuum":
          // DuckDB reclaims and orders storage itself; VACUUM is accepted where Redshift accepts it.
          if (ctx.inBatch) throw new SqlTranslationError("VACUUM cannot run inside a transaction block");
          break;
      }
    }
  }
  return outcome;
}
