import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * A batch's changes, summed per table and written to the log in one INSERT: a load changes some
 * 25 tables, and one logged INSERT each (a catalog lookup and a sequence value) was several
 * milliseconds apiece, a third of a small load's time. `flush` must run before anything else
 * writes or reads the log in the batch (an event, SVV_TABLE_INFO) and before the COMMIT, so the
 * log's order and a rollback work as they did with a row per statement.
 */
export class PendingChanges {
  /** By lower-cased name, as the log is read. */
  readonly #byTable = new Map<string, { table: string; changed: number; deleted: number }>();
  /** Temporary tables the batch created: their changes are not logged (nor looked up at the flush). */
  readonly #temporary = new Set<string>();

  add(table: string, changed: number, deleted: number): void {
    const name = table.toLowerCase();
    if (this.#temporary.has(name)) return;
    const sum = this.#byTable.get(name) ?? { table, changed: 0, deleted: 0 };
    this.#byTable.set(name, { table: sum.table, changed: sum.changed + changed, deleted: sum.deleted + deleted });
  }

  /**
   * Before the batch creates `table`: a permanent table's pending changes go in first (its CREATE
   * event follows them), and so do those of a permanent table a temporary one of the same name is
   * about to hide from the flush's lookup.
   */
  async creating(connection: DuckDBConnection, table: string, temporary: boolean): Promise<void> {
    const name = table.toLowerCase();
    if (!temporary || this.#byTable.has(name)) await this.flush(connection);
    if (temporary) this.#temporary.add(name);
  }

  async flush(connection: DuckDBConnection): Promise<void> {
    if (this.#byTable.size === 0) return;
    const rows = [...this.#byTable.values()].map((sum): ChangeRow => [sum.table, sum.changed, sum.deleted]);
    this.#byTable.clear();
    await writeChanges(connection, rows);
  }
}

export type ChangeRow = readonly [table: string, changed: number, deleted: number];

/** Appends `change` rows, leaving out temporary tables (one catalog lookup for all of them). */
export async function writeChanges(connection: DuckDBConnection, rows: readonly ChangeRow[]): Promise<void> {
  const values = rows.map((_, i) => `($${3 * i + 1}, CAST($${3 * i + 2} AS BIGINT), CAST($${3 * i + 3} AS BIGINT))`).join(", ");
  await connection.run(
    `INSERT INTO freshet_internal.table_changes (table_name, event, changed, deleted, recorded_at)
     SELECT c.table_name, 'change', c.changed, c.deleted, CAST(now() AS TIMESTAMP)
     FROM (VALUES ${values}) AS c(table_name, changed, deleted)
     WHERE NOT EXISTS (SELECT 1 FROM duckdb_tables() WHERE temporary AND lower(table_name) = lower(c.table_name))`,
    rows.flat(),
  );
}
