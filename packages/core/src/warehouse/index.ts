export * from "./errors.ts";
export { sqlString, sqlNullableString, sqlCount, sqlTimestamp, sqlWindowStart } from "./sql-literals.ts";
export { EVENT_COLUMN_TYPES, EVENT_COLUMNS, REDRIVE_COLUMN_TYPES, LOAD_COLUMN_TYPES, LOADS_TABLE_COLUMN_TYPES, type EventColumn, type LoadsTableColumn } from "./columns.ts";
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
export { MIGRATIONS, DASHBOARD_VIEWS, DATABASE_ROLES_VERSION } from "./migrations.ts";
export { DB_ROLES, DB_ROLES_TAG_KEY, BOOTSTRAP_MIGRATOR_PROCEDURE, BOOTSTRAP_MIGRATOR_STATEMENTS, BOOTSTRAP_MIGRATOR_STEPS, dbRolesTag, type DbRole } from "./db-roles.ts";
export {
  TABLE_GRANTS,
  LOAD_MAINTAINED_PRIVILEGES,
  WAREHOUSE_DATABASE_NAME,
  buildDatabaseRolesStatements,
  grantStatements,
  tablesCreatedBy,
  tablesGrantedBy,
  tablesWithoutGrants,
  viewsCreatedBy,
  type TableGrant,
  type TablePrivilege,
} from "./grants.ts";
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
export {
  MAX_KEYS_PER_LOOKUP,
  LOADED_OBJECT_KEYS,
  RECORDED_BATCH_IDS,
  buildHeldValuesQuery,
  buildHeldValuesQueries,
  buildLoadedObjectsQuery,
  buildRecordedBatchesQuery,
  type HeldValuesLookup,
} from "./lookups.ts";
export { buildRollupRebuildStatements, type RollupRange } from "./rollups/rebuild.ts";
export { maintainRollups, type Recredit } from "./rollups/maintain.ts";
export { recountAttributionDays, REFRESH_ATTRIBUTION_DAILY } from "./rollups/attribution-daily.ts";
export { CREATE_ROLLUP_TABLES } from "./rollups/tables.ts";
export { DEFAULT_LOAD_INTERVAL_SECONDS, IN_FLIGHT_WINDOW_HOURS } from "./views/metric-freshness.ts";
export { SESSION_GAP_MINUTES } from "./views/user-engagement.ts";
export * from "./maintenance/index.ts";
