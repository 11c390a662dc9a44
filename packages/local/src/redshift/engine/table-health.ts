import { listValue, type DuckDBConnection } from "@duckdb/node-api";
import { statfs } from "node:fs/promises";
import { dirname } from "node:path";
import type { TableChange } from "../sql/changes.ts";
import { writeChanges, type PendingChanges } from "./pending-changes.ts";

/**
 * Table health as Redshift's SVV_TABLE_INFO reports it, measured on the local engine.
 *
 * Changes are an append-only log, `freshet_internal.table_changes`, written on the statement's
 * connection right after the statement, or a batch's all at once before it commits
 * (`PendingChanges`); either way a rolled-back batch takes its changes with it. A log,
 * not a counter row per table: DuckDB aborts one of two transactions that update the same row,
 * while appends from concurrent transactions never conflict, so a load and a maintenance run on
 * one table cannot fail each other through the bookkeeping. Events:
 * - `change`: `changed` rows inserted, updated or deleted (COPY, INSERT, MERGE, UPDATE, DELETE);
 *   `deleted` rows Redshift marks for deletion (DELETE, and the old version of each UPDATEd row);
 * - `analyze`: ANALYZE of the table, or of every table when `table_name` is NULL;
 * - `reclaim`: the delete phase of a VACUUM (FULL, DELETE ONLY) of the table (NULL: every table);
 * - `create`, `truncate`: a new or emptied table, whose statistics and space start afresh
 *   (Redshift analyzes a CREATE TABLE AS, and TRUNCATE reclaims space at once).
 * Events are ordered by `seq`, taken when the statement runs (a batch's changes: when the batch
 * writes them, before its next event or its COMMIT), not when it commits.
 *
 * Where the local numbers differ from Redshift's: an UPDATE counts its old versions as deleted
 * but, unlike Redshift (which appends the new version), does not make rows unsorted (DuckDB
 * updates in place); ANALYZE always analyzes (Redshift skips tables under
 * `analyze_threshold_percent`, 10 by default) and COPY into an empty table does not analyze it;
 * health is kept by table name, so a table renamed by ALTER TABLE starts afresh.
 */
export const TABLE_HEALTH_TABLES: readonly string[] = [
  "CREATE SEQUENCE IF NOT EXISTS freshet_internal.table_change_seq",
  `CREATE TABLE IF NOT EXISTS freshet_internal.table_changes (
     seq BIGINT NOT NULL DEFAULT nextval('freshet_internal.table_change_seq'), table_name VARCHAR,
     event VARCHAR NOT NULL, changed BIGINT NOT NULL, deleted BIGINT NOT NULL, recorded_at TIMESTAMP NOT NULL)`,
];

/** SVV_TABLE_INFO's columns and types, in AWS's documented order (a one-row typed SELECT). */
export const TABLE_INFO_SHAPE = `SELECT CAST(NULL AS VARCHAR) AS database, CAST(NULL AS VARCHAR) AS schema,
  CAST(NULL AS BIGINT) AS table_id, CAST(NULL AS VARCHAR) AS "table", CAST(NULL AS VARCHAR) AS encoded,
  CAST(NULL AS VARCHAR) AS diststyle, CAST(NULL AS VARCHAR) AS sortkey1, CAST(NULL AS INTEGER) AS max_varchar,
  CAST(NULL AS VARCHAR) AS sortkey1_enc, CAST(NULL AS INTEGER) AS sortkey_num, CAST(NULL AS BIGINT) AS size,
  CAST(NULL AS DECIMAL(10, 4)) AS pct_used, CAST(NULL AS BIGINT) AS empty, CAST(NULL AS DECIMAL(5, 2)) AS unsorted,
  CAST(NULL AS DECIMAL(5, 2)) AS stats_off, CAST(NULL AS DECIMAL(38, 0)) AS tbl_rows,
  CAST(NULL AS DECIMAL(19, 2)) AS skew_sortkey1, CAST(NULL AS DECIMAL(19, 2)) AS skew_rows,
  CAST(NULL AS DECIMAL(38, 0)) AS estimated_visible_rows, CAST(NULL AS VARCHAR) AS risk_event,
  CAST(NULL AS DECIMAL(12, 2)) AS vacuum_sort_benefit, CAST(NULL AS TIMESTAMP) AS create_time`;

const TABLE_INFO_COLUMNS = 22;

/** A user table of the database, with what CREATE TABLE said about its physical design. */
export interface UserTable {
  readonly database: string;
  /** The schema as Redshift names it: DuckDB's default `main` is Redshift's default `public`. */
  readonly schema: string;
  /** The schema in the DuckDB catalog. */
  readonly localSchema: string;
  readonly name: string;
  readonly oid: number;
  readonly columnCount: number;
  readonly diststyle: string | null;
  readonly distkey: string | null;
  /** Sort key columns in order (empty: no sort key). */
  readonly sortkeys: readonly string[];
}

/**
 * Records what `change` did to `rows` rows (nothing for temporary tables or no rows): at once, or
 * into `pending` when the statement runs in a batch, which writes them all before it commits.
 */
export async function recordChange(connection: DuckDBConnection, change: TableChange, rows: number, pending?: PendingChanges): Promise<void> {
  if (change.kind === "truncate") {
    await pending?.flush(connection); // the rows changed before it, then the table starts afresh
    return recordEvent(connection, change.table, "truncate");
  }
  if (rows <= 0) return;
  const deleted = change.kind === "update" || change.kind === "delete" ? rows : 0;
  if (pending) return pending.add(change.table, rows, deleted);
  await writeChanges(connection, [[change.table, rows, deleted]]);
}

/** Records an ANALYZE, a VACUUM's delete phase, a CREATE TABLE or a TRUNCATE (table undefined: every table). */
export async function recordEvent(connection: DuckDBConnection, table: string | undefined, event: "analyze" | "reclaim" | "create" | "truncate"): Promise<void> {
  await connection.run(
    `INSERT INTO freshet_internal.table_changes (table_name, event, changed, deleted, recorded_at) VALUES ($1, $2, 0, 0, CAST(now() AS TIMESTAMP))`,
    [table ?? null, event],
  );
}

/**
 * Drops the table's change rows that no counter reads any more (older than both its last
 * ANALYZE and its last delete phase), so the log stays as long as what is pending.
 */
export async function compactChanges(connection: DuckDBConnection, table: string): Promise<void> {
  await connection.run(
    `DELETE FROM freshet_internal.table_changes
     WHERE event = 'change' AND lower(table_name) = lower($1) AND seq < (
       SELECT least(coalesce(max(seq) FILTER (WHERE event IN ('analyze', 'create', 'truncate')), -1),
                    coalesce(max(seq) FILTER (WHERE event IN ('reclaim', 'create', 'truncate')), -1))
       FROM freshet_internal.table_changes WHERE event <> 'change' AND (lower(table_name) = lower($1) OR table_name IS NULL))`,
    [table],
  );
}

/** True if a table (not a temporary one) of that name exists. */
export async function tableExists(connection: DuckDBConnection, name: string): Promise<boolean> {
  const reader = await connection.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND lower(table_name) = lower($1)", [name]);
  return Number(reader.getRowsJS()[0]![0]) > 0;
}

/** The database's user tables (not temporary, not Freshet's or Redshift's system tables). */
export async function userTables(connection: DuckDBConnection): Promise<UserTable[]> {
  const reader = await connection.runAndReadAll(
    `SELECT t.database_name, t.schema_name, t.table_name, CAST(t.table_oid AS BIGINT), CAST(t.column_count AS INTEGER),
            k.diststyle, k.distkey, coalesce(k.sortkey_columns, k.sortkey1),
            (SELECT list(lower(c.column_name)) FROM duckdb_columns() c WHERE c.table_oid = t.table_oid)
     FROM duckdb_tables() t LEFT JOIN freshet_internal.table_keys k ON lower(k.table_name) = lower(t.table_name)
     WHERE NOT t.temporary AND t.database_name = current_database() AND t.schema_name <> 'freshet_internal'
       AND t.table_name NOT IN ('stl_load_errors', 'sys_load_error_detail')
     ORDER BY t.schema_name, t.table_name`,
  );
  type Row = [string, string, string, bigint, number, string | null, string | null, string | null, string[]];
  return (reader.getRowsJS() as Row[]).map((r) => ({
    database: r[0],
    schema: r[1] === "main" ? "public" : r[1],
    localSchema: r[1],
    name: r[2],
    oid: Number(r[3]),
    columnCount: r[4],
    diststyle: r[5],
    distkey: r[6],
    sortkeys: presentColumns(r[7] ? r[7].split(",").map((c) => c.trim()) : [], r[8]),
  }));
}

/** The sort key's columns up to the first one the table no longer has (dropped by ALTER TABLE). */
function presentColumns(sortkeys: readonly string[], columns: readonly string[]): string[] {
  const end = sortkeys.findIndex((k) => !columns.includes(k.toLowerCase()));
  return end === -1 ? [...sortkeys] : sortkeys.slice(0, end);
}

/** Rows now in the table, and how many of them break sortkey1's order (see `SORT_ORDER_BREAKS`). */
export interface TableRows {
  readonly visible: number;
  /** Undefined when the table has no sort key. */
  readonly unsorted?: number;
}

/**
 * Unsorted rows, locally: in storage order (DuckDB's rowid, which is insertion order), a row is
 * unsorted when its sortkey1 value is below the largest value of the rows stored before it, or
 * when a NULL (the highest value, as in Redshift's ascending order) was stored before it. Rows
 * appended in sort-key order after the existing ones stay sorted, as Redshift's own guidance on
 * loading in sort-key order says; rows a load appends out of order count. One scan of one column
 * with a running max (about 0.13 s for a million rows on this project's machines).
 */
export async function measureRows(connection: DuckDBConnection, table: UserTable): Promise<TableRows> {
  const name = qualified(table);
  const key = table.sortkeys[0];
  if (key === undefined) {
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${name}`);
    return { visible: Number(reader.getRowsJS()[0]![0]) };
  }
  const k = quoteIdent(key);
  const reader = await connection.runAndReadAll(
    `SELECT count(*), count(*) FILTER (WHERE k IS NOT NULL AND (null_before OR k < max_before))
     FROM (SELECT ${k} AS k, max(${k}) OVER w AS max_before, bool_or(${k} IS NULL) OVER w AS null_before
           FROM ${name} WINDOW w AS (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))`,
  );
  const [visible, unsorted] = reader.getRowsJS()[0]! as [bigint, bigint];
  return { visible: Number(visible), unsorted: Number(unsorted) };
}

/** Per table key: rows changed since its last ANALYZE, rows deleted since its last VACUUM delete phase. */
interface Counters {
  readonly changed: number;
  readonly deleted: number;
  readonly createdAt: string | null;
}

async function readCounters(connection: DuckDBConnection, names: readonly string[]): Promise<Map<string, Counters>> {
  const reader = await connection.runAndReadAll(
    `WITH names AS (SELECT DISTINCT lower(unnest($1::VARCHAR[])) AS name),
     marks AS (
       SELECT n.name,
              coalesce(max(c.seq) FILTER (WHERE c.event IN ('analyze', 'create', 'truncate')), -1) AS analyzed,
              coalesce(max(c.seq) FILTER (WHERE c.event IN ('reclaim', 'create', 'truncate')), -1) AS reclaimed,
              max(c.recorded_at) FILTER (WHERE c.event = 'create' AND lower(c.table_name) = n.name) AS created_at
       FROM names n LEFT JOIN freshet_internal.table_changes c
         ON c.event <> 'change' AND (lower(c.table_name) = n.name OR c.table_name IS NULL)
       GROUP BY n.name)
     SELECT m.name, coalesce(sum(c.changed) FILTER (WHERE c.seq > m.analyzed), 0),
            coalesce(sum(c.deleted) FILTER (WHERE c.seq > m.reclaimed), 0), CAST(m.created_at AS VARCHAR)
     FROM marks m LEFT JOIN freshet_internal.table_changes c ON c.event = 'change' AND lower(c.table_name) = m.name
     GROUP BY m.name, m.created_at`,
    [listValue([...names])],
  );
  const counters = new Map<string, Counters>();
  for (const [name, changed, deleted, createdAt] of reader.getRowsJS() as [string, bigint, bigint, string | null][]) {
    counters.set(name, { changed: Number(changed), deleted: Number(deleted), createdAt });
  }
  return counters;
}

/**
 * Measures every user table and puts the result in a temporary table named `svv_table_info` on
 * this connection, which DuckDB resolves before the stand-in view of the same name. Run before
 * each statement that reads SVV_TABLE_INFO, inside its transaction, so it sees what it sees.
 *
 * - `tbl_rows`: rows visible plus rows deleted since the last VACUUM delete phase (Redshift counts
 *   rows marked for deletion until a vacuum reclaims them; DuckDB deletes at once);
 *   `estimated_visible_rows`: the rows visible.
 * - `unsorted`: 100 × unsorted rows / visible rows (see `measureRows`); NULL without a sort key.
 * - `stats_off`: 100 × rows changed since the last ANALYZE (or CREATE/TRUNCATE) / max(visible, 1),
 *   capped at 100.
 * - `size`: 1 MB blocks, estimated at 8 bytes per value (tbl_rows × columns); `pct_used`: size
 *   against the capacity of the disk holding the database.
 * Unlike Redshift, empty tables are listed (with zero rows), so a schema can be checked before
 * any load. `vacuum_sort_benefit` stays NULL (Redshift's estimate comes from scans it tracked).
 */
export async function refreshTableInfo(connection: DuckDBConnection): Promise<void> {
  const tables = await userTables(connection);
  const counters = await readCounters(connection, tables.map((t) => t.name));
  const capacityBlocks = await diskCapacityBlocks(connection);
  await connection.run(`CREATE OR REPLACE TEMP TABLE svv_table_info AS SELECT * FROM (${TABLE_INFO_SHAPE}) WHERE false`);
  const insert = `INSERT INTO temp.svv_table_info VALUES (${Array.from({ length: TABLE_INFO_COLUMNS }, (_, n) => `$${n + 1}`).join(", ")})`;
  for (const table of tables) {
    const rows = await measureRows(connection, table);
    const count = counters.get(table.name.toLowerCase()) ?? { changed: 0, deleted: 0, createdAt: null };
    const tblRows = rows.visible + count.deleted;
    const size = Math.ceil((tblRows * table.columnCount * 8) / 1_048_576);
    const sortkey1 = table.sortkeys[0] ?? null;
    await connection.run(insert, [
      table.database,
      table.schema,
      table.oid,
      table.name,
      "N",
      table.diststyle === "KEY" ? `KEY(${table.distkey})` : (table.diststyle ?? "AUTO(EVEN)"),
      sortkey1,
      0,
      sortkey1 === null ? null : "none",
      table.sortkeys.length,
      size,
      round(capacityBlocks > 0 ? (100 * size) / capacityBlocks : 0, 4),
      0,
      rows.unsorted === undefined ? null : percent(rows.unsorted, rows.visible),
      Math.min(100, percent(count.changed, rows.visible)),
      tblRows,
      null,
      null,
      rows.visible,
      null,
      null,
      count.createdAt,
    ]);
  }
}

/** Capacity of the disk holding the database, in 1 MB blocks (0 for an in-memory database). */
async function diskCapacityBlocks(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll("SELECT path FROM duckdb_databases() WHERE database_name = current_database()");
  const path = reader.getRowsJS()[0]?.[0];
  if (typeof path !== "string" || path === "") return 0;
  const disk = await statfs(dirname(path)).catch(() => undefined);
  return disk ? Math.floor((disk.blocks * disk.bsize) / 1_048_576) : 0;
}

/** The table's name for SQL: database, schema and table, quoted. */
export function qualified(table: Pick<UserTable, "database" | "localSchema" | "name">): string {
  return `${quoteIdent(table.database)}.${quoteIdent(table.localSchema)}.${quoteIdent(table.name)}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function percent(part: number, whole: number): number {
  return round((100 * part) / Math.max(whole, 1), 2);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
