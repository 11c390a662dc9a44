export * from "./errors.ts";
export { sqlString, sqlNullableString, sqlCount, sqlTimestamp, sqlWindowStart } from "./sql-literals.ts";
export { EVENT_COLUMN_TYPES, EVENT_COLUMNS, LOAD_COLUMN_TYPES, type EventColumn } from "./columns.ts";
export {
  CREATE_SCHEMA_MIGRATIONS,
  SELECT_APPLIED_MIGRATIONS,
  migrationChecksum,
  pendingMigrations,
  buildApplyMigrationStatements,
  assertMigrationsOrdered,
  type Migration,
  type AppliedMigration,
} from "./schema-migrations.ts";
export { MIGRATIONS, DASHBOARD_VIEWS } from "./migrations.ts";
export {
  buildLoadStatements,
  LOAD_SUMMARY_COLUMNS,
  MAX_BATCH_STATEMENTS,
  MAX_STATEMENT_CHARS,
  type LoadObject,
  type LoadReceipt,
  type LoadRequest,
} from "./load-statements.ts";
export * from "./queries.ts";
export { DEFAULT_LOAD_INTERVAL_SECONDS, IN_FLIGHT_WINDOW_HOURS } from "./views/metric-freshness.ts";
export { SESSION_GAP_MINUTES } from "./views/user-engagement.ts";
