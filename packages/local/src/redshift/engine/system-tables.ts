/**
 * Redshift's system tables and views Freshet reads, created in every local database. Load-error
 * columns follow AWS's documentation of STL_LOAD_ERRORS (provisioned) and SYS_LOAD_ERROR_DETAIL
 * (Serverless); both get every row, so SQL written for either works.
 */
export const SYSTEM_TABLES: readonly string[] = [
  "CREATE SCHEMA IF NOT EXISTS freshet_internal",
  `CREATE TABLE IF NOT EXISTS freshet_internal.table_keys (
     table_name VARCHAR PRIMARY KEY, diststyle VARCHAR, distkey VARCHAR, sortkey1 VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS stl_load_errors (
     userid INTEGER, slice INTEGER, tbl INTEGER, starttime TIMESTAMP, session INTEGER, query INTEGER,
     filename VARCHAR, line_number BIGINT, colname VARCHAR, type VARCHAR, col_length VARCHAR,
     position INTEGER, raw_line VARCHAR, raw_field_value VARCHAR, err_code INTEGER, err_reason VARCHAR,
     is_partial INTEGER, start_offset BIGINT, copy_job_id BIGINT)`,
  `CREATE TABLE IF NOT EXISTS sys_load_error_detail (
     user_id INTEGER, query_id BIGINT, transaction_id BIGINT, session_id INTEGER, database_name VARCHAR,
     table_id INTEGER, start_time TIMESTAMP, file_name VARCHAR, line_number BIGINT, column_name VARCHAR,
     column_type VARCHAR, column_length VARCHAR, position INTEGER, error_code INTEGER, error_message VARCHAR)`,
  // SVV_TABLE_INFO from DuckDB's catalog: row counts are DuckDB's estimates; size (Redshift counts
  // 1 MB blocks) is estimated at 8 bytes per value; data is never "unsorted" or "stale" locally.
  `CREATE OR REPLACE VIEW svv_table_info AS
   SELECT t.database_name AS database, t.schema_name AS schema, CAST(t.table_oid AS BIGINT) AS table_id,
          t.table_name AS "table", 'N' AS encoded,
          coalesce(CASE WHEN k.diststyle = 'KEY' THEN 'KEY(' || k.distkey || ')' ELSE k.diststyle END, 'AUTO(EVEN)') AS diststyle,
          k.sortkey1 AS sortkey1, 0 AS max_varchar,
          CAST(ceil(t.estimated_size * t.column_count * 8 / 1048576.0) AS BIGINT) AS size,
          CAST(0 AS DECIMAL(10, 4)) AS pct_used, CAST(0 AS DECIMAL(10, 4)) AS empty,
          CASE WHEN k.sortkey1 IS NULL THEN NULL ELSE CAST(0 AS DECIMAL(5, 2)) END AS unsorted,
          CAST(0 AS DECIMAL(5, 2)) AS stats_off, CAST(t.estimated_size AS DECIMAL(38, 0)) AS tbl_rows,
          CAST(NULL AS DECIMAL(19, 2)) AS skew_sortkey1, CAST(NULL AS DECIMAL(19, 2)) AS skew_rows,
          CAST(t.estimated_size AS DECIMAL(38, 0)) AS estimated_visible_rows, 'N/A' AS risk_event,
          CAST(NULL AS DECIMAL(12, 2)) AS vacuum_sort_benefit
   FROM duckdb_tables() t LEFT JOIN freshet_internal.table_keys k ON k.table_name = t.table_name
   WHERE NOT t.temporary AND t.schema_name <> 'freshet_internal'
     AND t.table_name NOT IN ('stl_load_errors', 'sys_load_error_detail')`,
];

/** Remembers a table's DISTSTYLE/DISTKEY/SORTKEY for SVV_TABLE_INFO. */
export const UPSERT_TABLE_KEYS = `INSERT OR REPLACE INTO freshet_internal.table_keys VALUES ($1, $2, $3, $4)`;

export const INSERT_STL_LOAD_ERROR = `INSERT INTO stl_load_errors VALUES
  (100, 0, $1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, 0, 0, $4)`;

export const INSERT_SYS_LOAD_ERROR = `INSERT INTO sys_load_error_detail VALUES
  (100, $1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)`;
