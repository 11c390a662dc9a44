import { DB_ROLES, type DbRole } from "./db-roles.ts";
import { UnsafeSqlValueError } from "./errors.ts";
import type { Migration } from "./schema-migrations.ts";

/** The warehouse database (the namespace's `dbName`; `stacks/warehouse.ts` checks it is the same). */
export const WAREHOUSE_DATABASE_NAME = "freshet";

export type TablePrivilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE";

export interface TableGrant {
  readonly role: DbRole;
  readonly table: string;
  readonly privileges: readonly TablePrivilege[];
}

const { loader, planner, reader } = DB_ROLES;

/**
 * Least privilege on the tables of migrations 1–3, from the SQL each identity sends:
 * - planner: the held-values lookups (lookups.ts: load_ledger, batch_receipts), loads.
 * - loader (`buildLoadStatements`): `LIKE events` and the dedupe read events, then insert into it;
 *   the guard reads and the load appends load_ledger and batch_receipts; event_accounting is
 *   inserted and updated; loads is only appended; load_lock is locked and its row updated (LOCK
 *   takes ACCESS EXCLUSIVE, which needs UPDATE on the table; the UPDATE's WHERE needs SELECT).
 *   Nothing is deleted from a permanent table; `sys_load_error_detail` shows a user its own COPYs.
 * - reader: the recent-loads query (loads); the views are granted by `viewsCreatedBy`.
 * Views run with their owner's privileges on the tables under them, so reading a view needs
 * SELECT on the view only.
 */
export const TABLE_GRANTS: readonly TableGrant[] = [
  { role: planner, table: "load_ledger", privileges: ["SELECT"] },
  { role: planner, table: "batch_receipts", privileges: ["SELECT"] },
  { role: planner, table: "loads", privileges: ["SELECT"] },
  { role: loader, table: "events", privileges: ["SELECT", "INSERT"] },
  { role: loader, table: "load_ledger", privileges: ["SELECT", "INSERT"] },
  { role: loader, table: "batch_receipts", privileges: ["SELECT", "INSERT"] },
  { role: loader, table: "event_accounting", privileges: ["SELECT", "INSERT", "UPDATE"] },
  { role: loader, table: "loads", privileges: ["INSERT"] },
  { role: loader, table: "load_lock", privileges: ["SELECT", "UPDATE"] },
  { role: reader, table: "loads", privileges: ["SELECT"] },
];

/**
 * What the loader gets on a table a migration before the grants created that `TABLE_GRANTS`
 * does not name: those are the dashboard rollups, which every load maintains in its transaction
 * (appends deltas, and deletes and re-inserts re-credited attribution rows).
 */
export const LOAD_MAINTAINED_PRIVILEGES: readonly TablePrivilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

const IDENT = "([a-z_][a-z0-9_]*)";
const CREATE_TABLE = new RegExp(`^\\s*CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}\\b`, "i");
const CREATE_VIEW = new RegExp(`^\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?VIEW\\s+${IDENT}\\b`, "i");

/** Permanent tables the migrations create, in order, each once. */
export function tablesCreatedBy(migrations: readonly Migration[]): string[] {
  return namesMatching(migrations, CREATE_TABLE);
}

/** Views the migrations create or replace, in order, each once. */
export function viewsCreatedBy(migrations: readonly Migration[]): string[] {
  return namesMatching(migrations, CREATE_VIEW);
}

function namesMatching(migrations: readonly Migration[], pattern: RegExp): string[] {
  const names = new Set<string>();
  for (const m of migrations) {
    for (const s of m.statements) {
      const match = pattern.exec(s);
      if (match) names.add(match[1]!.toLowerCase());
    }
  }
  return [...names];
}

/**
 * The statements of the database-roles migration, given every migration before it: creates the
 * loader, planner and reader roles (Migrate's own role comes from the deploy's bootstrap), grants
 * `TABLE_GRANTS`, the load-maintained privileges on every other table those migrations created,
 * SELECT on every view to the reader, TEMP on the database to the loader (its staging tables;
 * PUBLIC also has TEMP until someone revokes it), and default privileges so the reader can read
 * what later migrations create. Default privileges apply to objects their grantor creates, i.e.
 * the Migrate user running this; writes are never defaulted: a later migration that creates a
 * table grants it to the roles that need it (a test enforces this).
 */
export function buildDatabaseRolesStatements(before: readonly Migration[]): string[] {
  const tables = tablesCreatedBy(before);
  const known = new Set(tables);
  for (const g of TABLE_GRANTS) {
    if (!known.has(g.table)) throw new UnsafeSqlValueError(`TABLE_GRANTS names ${g.table}, which no earlier migration creates`);
  }
  const planned = new Set(TABLE_GRANTS.map((g) => g.table));
  const grants: TableGrant[] = [
    ...TABLE_GRANTS,
    ...tables.filter((t) => !planned.has(t)).map((table): TableGrant => ({ role: loader, table, privileges: LOAD_MAINTAINED_PRIVILEGES })),
    ...viewsCreatedBy(before).map((table): TableGrant => ({ role: reader, table, privileges: ["SELECT"] })),
  ];
  return [
    ...[loader, planner, reader].map((role) => `CREATE ROLE ${role}`),
    ...grantStatements(grants),
    `GRANT TEMP ON DATABASE ${WAREHOUSE_DATABASE_NAME} TO ROLE ${loader}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ROLE ${reader}`,
  ];
}

/** One GRANT per (role, privileges) listing its tables: the migration stays far below 40 statements. */
export function grantStatements(grants: readonly TableGrant[]): string[] {
  const groups = new Map<string, { role: DbRole; privileges: readonly TablePrivilege[]; tables: string[] }>();
  for (const g of grants) {
    const key = `${g.role} ${g.privileges.join(",")}`;
    const group = groups.get(key) ?? { role: g.role, privileges: g.privileges, tables: [] };
    if (!group.tables.includes(g.table)) group.tables.push(g.table);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `GRANT ${g.privileges.join(", ")} ON TABLE ${g.tables.join(", ")} TO ROLE ${g.role}`);
}

/** `GRANT … ON [TABLE] a, b TO ROLE r`: the tables a statement grants on (empty for other statements). */
export function tablesGrantedBy(statement: string): string[] {
  const match = /^\s*GRANT\s+[A-Z, ]+\s+ON\s+(?:TABLE\s+)?([a-z0-9_, ]+?)\s+TO\s+ROLE\s/i.exec(statement);
  return match ? match[1]!.split(",").map((t) => t.trim().toLowerCase()) : [];
}

/**
 * Tables that a migration after `rolesVersion` creates without granting them to a role in the same
 * migration: the database-roles migration covered everything before it, and write privileges are
 * never defaulted, so such a table would be unusable to the loader and planner (permission denied).
 */
export function tablesWithoutGrants(migrations: readonly Migration[], rolesVersion: number): { version: number; table: string }[] {
  const missing: { version: number; table: string }[] = [];
  for (const m of migrations) {
    if (m.version <= rolesVersion) continue;
    const granted = new Set(m.statements.flatMap(tablesGrantedBy));
    for (const table of tablesCreatedBy([m])) if (!granted.has(table)) missing.push({ version: m.version, table });
  }
  return missing;
}
