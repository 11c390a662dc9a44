import type { DuckDBConnection } from "@duckdb/node-api";
import { INSERT_STL_LOAD_ERROR, INSERT_SYS_LOAD_ERROR } from "../engine/system-tables.ts";
import type { LoadError } from "./check-rows.ts";

export interface LoadErrorContext {
  readonly queryId: number;
  readonly sessionId: number;
  readonly database: string;
  readonly tableId: number;
  readonly startTime: Date;
}

/**
 * Writes load errors to STL_LOAD_ERRORS and SYS_LOAD_ERROR_DETAIL on a connection of its own:
 * in Redshift these rows outlive the rollback of the COPY that produced them.
 */
export async function recordLoadErrors(connection: DuckDBConnection, errors: readonly LoadError[], ctx: LoadErrorContext): Promise<void> {
  if (errors.length === 0) return;
  const start = ctx.startTime.toISOString().replace("T", " ").replace("Z", "");
  await connection.run("BEGIN TRANSACTION");
  try {
    for (const e of errors) {
      await connection.run(INSERT_STL_LOAD_ERROR, [
        ctx.tableId, start, ctx.sessionId, ctx.queryId, e.fileName, e.lineNumber, e.columnName, e.columnType, "0",
        e.rawLine, e.rawFieldValue, e.errorCode, e.errorMessage.slice(0, 100),
      ]);
      await connection.run(INSERT_SYS_LOAD_ERROR, [
        ctx.queryId, ctx.sessionId, ctx.database, ctx.tableId, start, e.fileName, e.lineNumber, e.columnName, e.columnType, "0",
        e.errorCode, e.errorMessage,
      ]);
    }
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
