import { TABLE_HEALTH_TABLES, TABLE_INFO_SHAPE } from "./table-health.ts";

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
  // All sort key columns, in order (databases made before this column have only sortkey1).
  "ALTER TABLE freshet_internal.table_keys ADD COLUMN IF NOT EXISTS sortkey_columns VARCHAR",
  ...TABLE_HEALTH_TABLES,
  // A stand-in with SVV_TABLE_INFO's columns for SQL that binds to it without the runner (a view
  // over it): statements that read it get the measured table instead (see table-health.ts).
  `CREATE OR REPLACE VIEW svv_table_info AS SELECT * FROM (${TABLE_INFO_SHAPE}) WHERE false`,
];

/** Remembers a table's DISTSTYLE/DISTKEY/SORTKEY for SVV_TABLE_INFO. */
export const UPSERT_TABLE_KEYS = `INSERT OR REPLACE INTO freshet_internal.table_keys (table_name, diststyle, distkey, sortkey1, sortkey_columns)
  VALUES ($1, $2, $3, $4, $5)`;

export const INSERT_STL_LOAD_ERROR = `INSERT INTO stl_load_errors VALUES
  (100, 0, $1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, 0, 0, $4)`;

export const INSERT_SYS_LOAD_ERROR = `INSERT INTO sys_load_error_detail VALUES
  (100, $1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)`;
