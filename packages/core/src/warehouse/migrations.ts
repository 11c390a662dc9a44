import {
  CREATE_AUDIT_BALANCE,
  CREATE_BATCH_RECEIPTS,
  CREATE_EVENT_ACCOUNTING,
  CREATE_EVENTS,
  CREATE_LOAD_LEDGER,
  CREATE_LOAD_LOCK,
  CREATE_LOADS,
  SEED_LOAD_LOCK,
} from "./tables.ts";
import { rebuildRollupTables } from "./rollups/rebuild.ts";
import { ATTRIBUTION_DAILY_MIGRATION_STATEMENTS } from "./rollups/attribution-daily.ts";
import { NEWEST_EVENTS_MIGRATION_STATEMENTS } from "./rollups/newest-events.ts";
import { CREATE_ROLLUP_TABLES } from "./rollups/tables.ts";
import { CREATE_CAMPAIGN_TOTALS, CREATE_DASHBOARD_VIEWS_FROM_ROLLUPS } from "./rollups/views.ts";
import { buildDatabaseRolesStatements } from "./grants.ts";
import { MAINTAINER_ROLE_STATEMENTS } from "./maintenance/role.ts";
import { REDRIVE_ACCOUNTING_STATEMENTS } from "./redrive-accounting.ts";
import { ANOMALIES_MIGRATION_STATEMENTS } from "../anomaly/table.ts";
import { assertMigrationsOrdered, type Migration } from "./schema-migrations.ts";
import { CREATE_CAMPAIGN_PERFORMANCE } from "./views/campaign-performance.ts";
import { CREATE_FEATURE_ADOPTION } from "./views/feature-adoption.ts";
import { CREATE_METRIC_FRESHNESS } from "./views/metric-freshness.ts";
import { CREATE_REVENUE_ATTRIBUTION } from "./views/revenue-attribution.ts";
import { CREATE_USER_ENGAGEMENT, CREATE_USER_SESSIONS } from "./views/user-engagement.ts";

/**
 * The warehouse schema, in order. Never edit an entry once released (its checksum is recorded):
 * append a new version. Statements are re-runnable (IF NOT EXISTS, OR REPLACE), so a migration
 * interrupted between commit and record converges when run again.
 */
const SCHEMA: readonly Migration[] = [
  {
    version: 1,
    name: "events_ledger_accounting",
    statements: [CREATE_EVENTS, CREATE_LOAD_LEDGER, CREATE_LOADS, CREATE_BATCH_RECEIPTS, CREATE_EVENT_ACCOUNTING, CREATE_AUDIT_BALANCE],
  },
  {
    version: 2,
    name: "dashboard_views",
    statements: [
      CREATE_CAMPAIGN_PERFORMANCE,
      CREATE_USER_ENGAGEMENT,
      CREATE_USER_SESSIONS,
      CREATE_FEATURE_ADOPTION,
      CREATE_REVENUE_ATTRIBUTION,
      CREATE_METRIC_FRESHNESS,
    ],
  },
  { version: 3, name: "load_lock", statements: [CREATE_LOAD_LOCK, SEED_LOAD_LOCK] },
  {
    // The rollups each load maintains, backfilled from the events already loaded (an upgraded
    // warehouse is consistent at once), and the dashboard views re-pointed at them.
    version: 4,
    name: "dashboard_rollups",
    statements: [...CREATE_ROLLUP_TABLES, ...rebuildRollupTables(), ...CREATE_DASHBOARD_VIEWS_FROM_ROLLUPS],
  },
];

/** The migration that creates the database roles and grants them what they need (`grants.ts`). */
export const DATABASE_ROLES_VERSION = 5;

/**
 * `SCHEMA`, then the database roles with their grants on everything `SCHEMA` created. A later
 * migration that creates a table grants it in the same migration (tests/warehouse/grants.test.ts
 * fails otherwise); views are readable through the reader's default privileges.
 */
export const MIGRATIONS: readonly Migration[] = [
  ...SCHEMA,
  { version: DATABASE_ROLES_VERSION, name: "database_roles", statements: buildDatabaseRolesStatements(SCHEMA) },
  { version: 6, name: "maintainer_role", statements: MAINTAINER_ROLE_STATEMENTS },
  // Dead-letter triage: the redrive marker on events, redriven and repaired in the accounting.
  { version: 7, name: "redrive_accounting", statements: REDRIVE_ACCOUNTING_STATEMENTS },
  // Anomaly detection: the alerted anomalies and recoveries, the scoring workflow's role.
  { version: 8, name: "anomalies", statements: ANOMALIES_MIGRATION_STATEMENTS },
  // Metrics API latency: `metric_freshness` reads the newest event per metric from the one row
  // each load maintains (`newest_events`, backfilled here) instead of aggregating all of `events`,
  // and `campaign_totals` gives the API's campaign sums without the dashboard's unused columns.
  { version: 9, name: "metrics_api_reads", statements: [...NEWEST_EVENTS_MIGRATION_STATEMENTS, CREATE_CAMPAIGN_TOTALS] },
  // Dashboard latency: `revenue_attribution` reads the per-day sums each load recounts
  // (`attribution_daily`, backfilled here) instead of grouping every credit of its range.
  { version: 10, name: "attribution_daily", statements: ATTRIBUTION_DAILY_MIGRATION_STATEMENTS },
];

assertMigrationsOrdered(MIGRATIONS);

/** The dashboard views, by name: what the integration test and the bench query. */
export const DASHBOARD_VIEWS = ["campaign_performance", "user_engagement", "feature_adoption", "revenue_attribution"] as const;
