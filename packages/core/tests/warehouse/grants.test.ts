import { describe, expect, it } from "vitest";
import {
  buildApplyMigrationStatements,
  buildAuditQuery,
  buildDatabaseRolesStatements,
  buildLedgerSinceQuery,
  buildLoadedObjectsQuery,
  buildRecordedBatchesQuery,
  buildLoadStatements,
  buildRecentLoadsQuery,
  DASHBOARD_VIEWS,
  DATABASE_ROLES_VERSION,
  DB_ROLES,
  dbRolesTag,
  MAX_BATCH_STATEMENTS,
  MIGRATIONS,
  SELECT_METRIC_FRESHNESS,
  TABLE_GRANTS,
  tablesCreatedBy,
  tablesWithoutGrants,
  UnsafeSqlValueError,
  viewsCreatedBy,
  anomaliesQuery,
  freshnessQuery,
  metricsView,
  METRICS_VIEWS,
  parseMetricsQuery,
  type Migration,
} from "@freshet/core";
import { loadRequestFixture } from "./support/load-request.ts";

type Privileges = Map<string, Set<string>>;

const rolesMigration = MIGRATIONS.find((m) => m.version === DATABASE_ROLES_VERSION)!;
const before = MIGRATIONS.filter((m) => m.version < DATABASE_ROLES_VERSION);
const tables = new Set(tablesCreatedBy(MIGRATIONS));
const views = new Set(viewsCreatedBy(MIGRATIONS));

/** What the migration's GRANT statements give each role, read back from the SQL text itself. */
function granted(statements: readonly string[]): Map<string, Privileges> {
  const byRole = new Map<string, Privileges>();
  for (const s of statements) {
    const m = /^GRANT ([A-Z, ]+) ON TABLE ([a-z0-9_, ]+) TO ROLE ([a-z_]+)$/.exec(s);
    if (!m) continue;
    const privileges = byRole.get(m[3]!) ?? new Map<string, Set<string>>();
    for (const table of m[2]!.split(", ")) {
      const set = privileges.get(table) ?? new Set<string>();
      for (const p of m[1]!.split(", ")) set.add(p);
      privileges.set(table, set);
    }
    byRole.set(m[3]!, privileges);
  }
  return byRole;
}

/**
 * The privileges SQL needs on permanent tables and views (Postgres/Redshift rules): INSERT INTO →
 * INSERT; UPDATE → UPDATE and SELECT (its WHERE reads); DELETE FROM → DELETE and SELECT; LOCK →
 * UPDATE (ACCESS EXCLUSIVE); FROM / JOIN / LIKE → SELECT. Temporary tables are not permanent, so
 * they drop out; string literals are blanked first so a manifest URL cannot look like a table.
 */
function required(sqls: readonly string[]): Privileges {
  const need: Privileges = new Map();
  const add = (table: string, ...privileges: string[]) => {
    const t = table.toLowerCase();
    if (!tables.has(t) && !views.has(t)) return;
    const set = need.get(t) ?? new Set<string>();
    for (const p of privileges) set.add(p);
    need.set(t, set);
  };
  for (const sql of sqls) {
    const text = sql.replace(/'(?:[^']|'')*'/g, "''");
    for (const m of text.matchAll(/\bINSERT\s+INTO\s+([a-z_]+)/gi)) add(m[1]!, "INSERT");
    for (const m of text.matchAll(/^\s*UPDATE\s+([a-z_]+)/gim)) add(m[1]!, "UPDATE", "SELECT");
    for (const m of text.matchAll(/\bDELETE\s+FROM\s+([a-z_]+)/gi)) add(m[1]!, "DELETE", "SELECT");
    for (const m of text.matchAll(/^\s*LOCK\s+(?:TABLE\s+)?([a-z_]+)/gim)) add(m[1]!, "UPDATE");
    for (const m of text.matchAll(/\b(?:FROM|JOIN|LIKE)\s+([a-z_]+)/gi)) add(m[1]!, "SELECT");
  }
  return need;
}

function expectCovers(have: Privileges | undefined, need: Privileges): void {
  expect(need.size).toBeGreaterThan(0);
  for (const [table, privileges] of need) {
    for (const p of privileges) expect(have?.get(table)?.has(p), `${p} on ${table}`).toBe(true);
  }
}

const sorted = (set: Set<string> | undefined) => [...(set ?? [])].sort();

describe("the database-roles migration", () => {
  const grants = granted(rolesMigration.statements);

  it("follows the schema (the rollups), and creates the three roles Freshet's identities map to", () => {
    expect(MIGRATIONS.find((m) => m.version === DATABASE_ROLES_VERSION)).toBe(rolesMigration);
    // Later migrations create only `anomalies` (migration 8), `newest_events` (9) and `attribution_daily` (10), which grant them themselves (tablesWithoutGrants below).
    expect(MIGRATIONS.filter((m) => m.version > DATABASE_ROLES_VERSION).flatMap((m) => tablesCreatedBy([m]))).toEqual(["anomalies", "newest_events", "attribution_daily"]);
    expect(rolesMigration.name).toBe("database_roles");
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(rolesMigration.statements.filter((s) => s.startsWith("CREATE ROLE"))).toEqual([
      `CREATE ROLE ${DB_ROLES.loader}`,
      `CREATE ROLE ${DB_ROLES.planner}`,
      `CREATE ROLE ${DB_ROLES.reader}`,
    ]);
    expect(buildApplyMigrationStatements(rolesMigration).length).toBeLessThanOrEqual(MAX_BATCH_STATEMENTS);
  });

  it("gives the load transaction what it uses, and on the pipeline's tables exactly that", () => {
    const need = required(buildLoadStatements(loadRequestFixture()));
    const loader = grants.get(DB_ROLES.loader);
    // With what later migrations grant on the tables they create (newest_events and attribution_daily, migrations 9 and 10).
    expectCovers(granted(MIGRATIONS.flatMap((m) => m.statements)).get(DB_ROLES.loader), need);
    for (const table of ["newest_events", "attribution_daily"]) {
      expect(sorted(granted(MIGRATIONS.flatMap((m) => m.statements)).get(DB_ROLES.loader)?.get(table)), table).toEqual(sorted(need.get(table)));
    }
    for (const table of new Set(TABLE_GRANTS.filter((g) => g.role === DB_ROLES.loader).map((g) => g.table))) {
      expect(sorted(loader?.get(table)), table).toEqual(sorted(need.get(table)));
    }
    // Never anything on the migrations ledger, and never DELETE on an append-only table.
    expect(loader?.has("schema_migrations")).toBe(false);
    for (const table of ["events", "load_ledger", "loads", "batch_receipts", "event_accounting"]) {
      expect(loader?.get(table)?.has("DELETE"), table).toBe(false);
    }
    expect(rolesMigration.statements).toContain(`GRANT TEMP ON DATABASE freshet TO ROLE ${DB_ROLES.loader}`);
  });

  it("gives the planner and the reader read access to what they query, and nothing else", () => {
    expectCovers(grants.get(DB_ROLES.planner), required([buildLoadedObjectsQuery(["processed/a.ndjson.gz"]), buildRecordedBatchesQuery(["shard-1-100-200"]), buildLedgerSinceQuery("2026-11-26T00:00:00Z")]));
    const reads = [buildAuditQuery(), buildRecentLoadsQuery(), SELECT_METRIC_FRESHNESS, ...[...DASHBOARD_VIEWS, "user_sessions"].map((v) => `SELECT * FROM ${v}`)];
    expectCovers(grants.get(DB_ROLES.reader), required(reads));
    for (const role of [DB_ROLES.planner, DB_ROLES.reader]) {
      for (const [table, privileges] of grants.get(role) ?? []) expect(sorted(privileges), `${role} on ${table}`).toEqual(["SELECT"]);
    }
    // Every view any earlier migration created (or re-pointed) is readable; the raw events are not.
    for (const view of viewsCreatedBy(before)) expect(grants.get(DB_ROLES.reader)?.has(view), view).toBe(true);
    expect(grants.get(DB_ROLES.reader)?.has("events")).toBe(false);
  });

  it("grants every table an earlier migration created to some role, the load-maintained rollups included", () => {
    const covered = new Set([...grants.values()].flatMap((p) => [...p.keys()]));
    for (const table of tablesCreatedBy(before)) expect(covered.has(table), table).toBe(true);
  });

  it("lets the reader read what later migrations create, through default privileges", () => {
    expect(rolesMigration.statements.at(-1)).toBe(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ROLE ${DB_ROLES.reader}`);
  });

  it("lets the metrics API (the reader) read every view and table its queries name", () => {
    const now = new Date("2026-11-27T12:00:00Z");
    const sqls = [
      ...METRICS_VIEWS.map((name) => metricsView(name)).map((view) => view.build(parseMetricsQuery({ campaign: view.filters.includes("campaign") ? "c" : undefined }, view, now)).sql),
      freshnessQuery().sql,
      anomaliesQuery(now, 10).sql,
    ];
    const later = new Set([...tablesCreatedBy(MIGRATIONS.filter((m) => m.version > DATABASE_ROLES_VERSION)), ...viewsCreatedBy(MIGRATIONS.filter((m) => m.version > DATABASE_ROLES_VERSION))]);
    const need = required(sqls);
    expect(need.has("campaign_totals")).toBe(true);
    for (const [table] of need) expect(grants.get(DB_ROLES.reader)?.get(table)?.has("SELECT") || later.has(table), table).toBe(true);
    expect(need.has("campaign_rollup"), "the reader never reads the rollup's user ids").toBe(false);
  });

  it("refuses a grant plan naming a table no earlier migration creates", () => {
    expect(() => buildDatabaseRolesStatements(before.filter((m) => m.version === 3))).toThrow(UnsafeSqlValueError);
  });
});

describe("tablesWithoutGrants: a later migration that creates a table must grant it", () => {
  const later = (statements: string[]): Migration[] => [...MIGRATIONS, { version: DATABASE_ROLES_VERSION + 1, name: "later", statements }];
  const create = "CREATE TABLE IF NOT EXISTS late_rollup (\n  day TIMESTAMP NOT NULL\n)";

  it("holds for Freshet's migrations", () => {
    expect(tablesWithoutGrants(MIGRATIONS, DATABASE_ROLES_VERSION)).toEqual([]);
  });

  it("flags a table created without a grant, and passes once the migration grants it", () => {
    expect(tablesWithoutGrants(later([create]), DATABASE_ROLES_VERSION)).toEqual([{ version: DATABASE_ROLES_VERSION + 1, table: "late_rollup" }]);
    expect(tablesWithoutGrants(later([create, `GRANT SELECT ON TABLE other TO ROLE ${DB_ROLES.loader}`]), DATABASE_ROLES_VERSION)).toHaveLength(1);
    expect(tablesWithoutGrants(later([create, `GRANT SELECT, INSERT ON TABLE late_rollup TO ROLE ${DB_ROLES.loader}`]), DATABASE_ROLES_VERSION)).toEqual([]);
  });
});

describe("dbRolesTag", () => {
  it("names the roles colon-separated under RedshiftDbRoles", () => {
    expect(dbRolesTag([DB_ROLES.loader])).toEqual({ RedshiftDbRoles: "freshet_loader" });
    expect(dbRolesTag([DB_ROLES.planner, DB_ROLES.reader])).toEqual({ RedshiftDbRoles: "freshet_planner:freshet_reader" });
  });

  it("refuses what GetCredentials would split or IAM would reject", () => {
    expect(() => dbRolesTag([])).toThrow(UnsafeSqlValueError);
    expect(() => dbRolesTag(["sys:superuser"])).toThrow(/plain database role/);
    expect(() => dbRolesTag(["Freshet Loader"])).toThrow(UnsafeSqlValueError);
    expect(() => dbRolesTag(Array.from({ length: 20 }, (_, i) => `freshet_role_number_${i}`))).toThrow(/256/);
  });
});
