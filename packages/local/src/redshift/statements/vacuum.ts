import type { DuckDBConnection } from "@duckdb/node-api";
import { compactChanges, measureRows, qualified, quoteIdent, recordEvent, userTables, type UserTable } from "../engine/table-health.ts";
import { StatementCancelledError, TableMaintenanceError } from "../errors.ts";
import type { VacuumCommand } from "../sql/maintenance.ts";

export interface VacuumContext {
  readonly cancelled: () => boolean;
  /** Test-only hold inside a table's sort phase, before it commits (see StatementFaults). */
  readonly holdSort?: (table: string) => Promise<void>;
}

/** What one VACUUM did to each table (for tests and logs). */
export interface VacuumOutcome {
  readonly table: string;
  readonly sorted: boolean;
  readonly reclaimed: boolean;
}

/**
 * Runs a VACUUM outside any transaction, one table at a time, as Redshift does.
 *
 * Sort phase: skipped, as in Redshift, when more than `threshold` percent of the rows are sorted
 * (or none is unsorted, or the table has no sort key); otherwise the table is rewritten in
 * sort-key order in one transaction (a sorted copy, then every row deleted and the copy inserted),
 * which keeps the table's definition (defaults, identity sequences, keys) and every row. DuckDB
 * appends the copy in that order, so storage order is sort-key order again and its zone maps
 * prune range scans on the sort key. Rows other transactions append meanwhile are kept (MVCC);
 * Redshift also blocks UPDATE and DELETE during a vacuum, and a DuckDB UPDATE or DELETE of the same
 * table at the same time fails one of the two.
 *
 * Delete phase: DuckDB deleted the rows already; the phase records that Redshift would now have
 * reclaimed them. Locally all of them are (Redshift reclaims until at least `threshold` percent of
 * the remaining rows are not deleted; reclaiming all meets that).
 */
export async function runVacuum(connection: DuckDBConnection, command: VacuumCommand, ctx: VacuumContext): Promise<VacuumOutcome[]> {
  const tables = await tablesToVacuum(connection, command.table);
  const outcomes: VacuumOutcome[] = [];
  for (const table of tables) {
    if (ctx.cancelled()) throw new StatementCancelledError();
    const sorted = command.sort ? await sortPhase(connection, table, command.threshold, ctx) : false;
    if (command.reclaim) {
      await recordEvent(connection, table.name, "reclaim");
      await compactChanges(connection, table.name);
    }
    outcomes.push({ table: table.name, sorted, reclaimed: command.reclaim });
  }
  return outcomes;
}

async function tablesToVacuum(connection: DuckDBConnection, name: string | undefined): Promise<UserTable[]> {
  const tables = await userTables(connection);
  if (name === undefined) return tables;
  const parts = name.split(".").map(unquote);
  const [table, schema] = [parts[parts.length - 1]!, parts.length > 1 ? parts[parts.length - 2] : undefined];
  const found = tables.find((t) => t.name.toLowerCase() === table.toLowerCase() && (schema === undefined || t.schema.toLowerCase() === schema.toLowerCase()));
  if (!found) throw new TableMaintenanceError(`relation "${name}" does not exist`);
  return [found];
}

/** Rewrites the table in sort-key order unless Redshift would skip it; true if it did. */
async function sortPhase(connection: DuckDBConnection, table: UserTable, threshold: number, ctx: VacuumContext): Promise<boolean> {
  if (table.sortkeys.length === 0) return false;
  const rows = await measureRows(connection, table);
  const unsorted = rows.unsorted ?? 0;
  const sortedPercent = (100 * (rows.visible - unsorted)) / Math.max(rows.visible, 1);
  if (unsorted === 0 || sortedPercent > threshold) return false;
  const name = qualified(table);
  const order = [...table.sortkeys.map((k) => `${quoteIdent(k)} NULLS LAST`), "rowid"].join(", ");
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE freshet_vacuum_sorted AS SELECT * FROM ${name} ORDER BY ${order}`);
    await connection.run(`DELETE FROM ${name}`);
    await connection.run(`INSERT INTO ${name} SELECT * FROM temp.freshet_vacuum_sorted`);
    await connection.run("DROP TABLE temp.freshet_vacuum_sorted");
    await ctx.holdSort?.(table.name);
    if (ctx.cancelled()) throw new StatementCancelledError();
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return true;
}

function unquote(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text;
}
