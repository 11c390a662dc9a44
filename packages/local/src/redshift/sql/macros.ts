/**
 * Redshift functions DuckDB lacks, as DuckDB macros created in every database at open. Dates and
 * times follow Redshift: GETDATE/SYSDATE are UTC timestamps without time zone, DATEADD returns a
 * TIMESTAMP, CONVERT_TIMEZONE treats a timestamp without zone as UTC unless a source zone is given.
 */
export const REDSHIFT_MACROS: readonly string[] = [
  "CREATE OR REPLACE MACRO getdate() AS CAST(timezone('UTC', now()) AS TIMESTAMP)",
  "CREATE OR REPLACE MACRO nvl(a, b) AS coalesce(a, b)",
  "CREATE OR REPLACE MACRO nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END",
  // A quarter is no interval unit DuckDB parses; three months is the same thing.
  `CREATE OR REPLACE MACRO dateadd(part, n, t) AS CAST(t AS TIMESTAMP) + CASE WHEN part = 'quarter'
     THEN CAST(CAST(n * 3 AS VARCHAR) || ' month' AS INTERVAL)
     ELSE CAST(CAST(n AS VARCHAR) || ' ' || part AS INTERVAL) END`,
  "CREATE OR REPLACE MACRO json_parse(s) AS CAST(s AS JSON)",
  "CREATE OR REPLACE MACRO is_valid_json(s) AS json_valid(s)",
  "CREATE OR REPLACE MACRO json_serialize(j) AS CAST(j AS VARCHAR)",
  // Redshift returns '' for a missing path; DuckDB NULL. Freshet compares against values, so NULL
  // (which Redshift also gives for a JSON null) is kept but a missing key yields ''.
  `CREATE OR REPLACE MACRO json_extract_path_text(j, a) AS coalesce(json_extract_string(CAST(j AS JSON), '$."' || a || '"'), ''),
     (j, a, b) AS coalesce(json_extract_string(CAST(j AS JSON), '$."' || a || '"."' || b || '"'), ''),
     (j, a, b, c) AS coalesce(json_extract_string(CAST(j AS JSON), '$."' || a || '"."' || b || '"."' || c || '"'), '')`,
  `CREATE OR REPLACE MACRO convert_timezone(target, t) AS CAST(timezone(target, timezone('UTC', CAST(t AS TIMESTAMP))) AS TIMESTAMP),
     (source, target, t) AS CAST(timezone(target, timezone(source, CAST(t AS TIMESTAMP))) AS TIMESTAMP)`,
];
