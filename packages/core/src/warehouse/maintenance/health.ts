import { UnsafeSqlValueError } from "../errors.ts";
import { tablesCreatedBy } from "../grants.ts";
import { MIGRATIONS } from "../migrations.ts";

/**
 * A table's health as SVV_TABLE_INFO reports it (Redshift's documentation of the view):
 * `size` in 1 MB blocks; `unsorted` the percentage of rows out of sort-key order (null without a
 * sort key); `stats_off` 0 (current) .. 100 (stale); `tbl_rows` every row including those marked
 * deleted and not yet vacuumed; `estimated_visible_rows` the rows a query sees.
 */
export interface TableHealth {
  readonly table: string;
  readonly sizeMb: number;
  readonly unsortedPct: number | null;
  readonly statsOffPct: number;
  readonly rows: number;
  readonly visibleRows: number;
}

/** The health query's columns, in order (the workflow reads records by position). */
export const HEALTH_COLUMNS = ["table", "size", "unsorted", "stats_off", "tbl_rows", "estimated_visible_rows"] as const;

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,126}$/;

/** Every permanent table Freshet's migrations create: what maintenance looks after. */
export const MAINTAINED_TABLES: readonly string[] = tablesCreatedBy(MIGRATIONS);

/**
 * The health of `tables` in one statement. SVV_TABLE_INFO has no row for an empty table, so a
 * table missing from the result is empty. Its numeric(…) columns are cast, because the Data API
 * returns DECIMAL as a string and the workflow compares numbers. The migrations create every
 * table unqualified, so in the default schema, `public`.
 */
export function buildHealthQuery(tables: readonly string[] = MAINTAINED_TABLES): string {
  if (tables.length === 0) throw new UnsafeSqlValueError("name at least one table to read the health of");
  for (const t of tables) if (!TABLE_NAME.test(t)) throw new UnsafeSqlValueError(`not a plain table name: ${JSON.stringify(t)}`);
  // One line: the Step Functions definition embeds it as a plain string argument.
  return [
    `SELECT "table", CAST(size AS BIGINT) AS size, CAST(unsorted AS FLOAT8) AS unsorted, CAST(stats_off AS FLOAT8) AS stats_off,`,
    `CAST(tbl_rows AS BIGINT) AS tbl_rows, CAST(estimated_visible_rows AS BIGINT) AS estimated_visible_rows`,
    `FROM svv_table_info WHERE "schema" = 'public' AND "table" IN (${tables.map((t) => `'${t}'`).join(", ")}) ORDER BY "table"`,
  ].join(" ");
}

/** A plain table name, or the error saying why not (the operations splice it into SQL). */
export function checkTableName(table: string): string {
  if (!TABLE_NAME.test(table)) throw new UnsafeSqlValueError(`not a plain table name: ${JSON.stringify(table)}`);
  return table;
}
