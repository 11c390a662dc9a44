/**
 * Redshift functions DuckDB lacks, as DuckDB macros created in every database at open. Dates and
 * times follow Redshift: GETDATE/SYSDATE are UTC timestamps without time zone, DATEADD returns a
 * TIMESTAMP, CONVERT_TIMEZONE treats a timestamp without zone as UTC unless a source zone is given.
 */
export const REDSHIFT_MACROS: readonly string[] = [
  "CREATE OR REPLACE MACRO getdate() AS CAST(timezone('UTC', now()) AS TIMESTAMP)",
  "CREATE OR REPLACE MACRO nvl(a, b) AS coalesce(a, b)",
  "CREATE OR REPLACE MACRO nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END",
  // DuckDB's to_<unit>() builds the interval from a number: building it from text (n || ' minute')
  // costs a string parse per row, which dominated views that bucket every event. A quarter is
  // three months; the unit is almost always a literal, so the CASE folds to one branch.
  `CREATE OR REPLACE MACRO dateadd(part, n, t) AS CAST(t AS TIMESTAMP) + CASE part
     WHEN 'microsecond' THEN to_microseconds(CAST(n AS BIGINT)) WHEN 'millisecond' THEN to_milliseconds(CAST(n AS BIGINT))
     WHEN 'second' THEN to_seconds(CAST(n AS BIGINT)) WHEN 'minute' THEN to_minutes(CAST(n AS BIGINT))
     WHEN 'hour' THEN to_hours(CAST(n AS BIGINT)) WHEN 'day' THEN to_days(CAST(n AS INTEGER))
     WHEN 'week' THEN to_weeks(CAST(n AS INTEGER)) WHEN 'month' THEN to_months(CAST(n AS INTEGER))
     WHEN 'quarter' THEN to_months(CAST(n * 3 AS INTEGER)) WHEN 'year' THEN to_years(CAST(n AS INTEGER))
     ELSE CAST(CAST(n AS VARCHAR) || ' ' || part AS INTERVAL) END`,
  // CAST(… AS VARCHAR): a SUPER (JSON) string casts to the string, any other SUPER value to NULL
  // (Redshift turns SUPER cast errors into NULL); every other type casts as usual.
  `CREATE OR REPLACE MACRO redshift_varchar(x) AS CASE WHEN typeof(x) = 'JSON'
     THEN CASE WHEN json_type(CAST(x AS JSON)) = 'VARCHAR' THEN json_extract_string(CAST(x AS JSON), '$') END
     ELSE CAST(x AS VARCHAR) END`,
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
