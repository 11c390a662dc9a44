import { UnsafeSqlValueError } from "./errors.ts";

/**
 * Freshet's database roles. Each IAM role that runs SQL through the Data API with `WorkgroupName`
 * (IAM auth) becomes its own database user `IAMR:<iam-role-name>`, created at its first sign-in;
 * Redshift Serverless' `GetCredentials` then maps it to the database roles named in the IAM
 * role's `RedshiftDbRoles` principal tag (`role1:role2`; a role that does not exist is ignored).
 * Privileges are granted to these roles, never to the per-IAM-role users, whose names carry
 * deploy-generated suffixes.
 */
export const DB_ROLES = {
  /** Migrate: owns every object (it creates them); created by the deploy's bootstrap, not a migration. */
  migrator: "freshet_migrator",
  /** The Load state machine: the load transaction. */
  loader: "freshet_loader",
  /** The LoadPlanner function: reads what is already loaded. */
  planner: "freshet_planner",
  /** The CLI, dashboards, operators: read-only. */
  reader: "freshet_reader",
  /** The Maintenance state machine: VACUUM and ANALYZE, and the table health view (migration 6). */
  maintainer: "freshet_maintainer",
  /** The AnomalyScoring state machine: reads events for the metric series, appends anomalies (migration 8). */
  anomaly: "freshet_anomaly",
} as const;

export type DbRole = (typeof DB_ROLES)[keyof typeof DB_ROLES];

/** The IAM principal tag GetCredentials reads the database roles from (Redshift Serverless). */
export const DB_ROLES_TAG_KEY = "RedshiftDbRoles";

/** IAM tag values are at most 256 characters. */
const MAX_TAG_VALUE = 256;
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,126}$/;

/**
 * The `RedshiftDbRoles` tag naming `roles`, colon-separated. A `sys:` role cannot be named here
 * (its colon would split it in two): grant it to a custom role and name that one instead.
 */
export function dbRolesTag(roles: readonly string[]): Record<typeof DB_ROLES_TAG_KEY, string> {
  if (roles.length === 0) throw new UnsafeSqlValueError("name at least one database role");
  for (const role of roles) {
    if (!ROLE_NAME.test(role)) throw new UnsafeSqlValueError(`not a plain database role name: ${JSON.stringify(role)}`);
  }
  const value = roles.join(":");
  if (value.length > MAX_TAG_VALUE) throw new UnsafeSqlValueError(`${DB_ROLES_TAG_KEY} is ${value.length} characters, over IAM's ${MAX_TAG_VALUE}`);
  return { [DB_ROLES_TAG_KEY]: value };
}

/** The stored procedure the deploy's bootstrap creates and calls (`sp_`: the prefix Redshift reserves for user procedures). */
export const BOOTSTRAP_MIGRATOR_PROCEDURE = "sp_freshet_bootstrap_migrator";

/**
 * The bootstrap's steps: each statement runs only when its lookup finds no row, so the bootstrap
 * can run again (a replaced or re-created deploy resource) on a warehouse that has the role.
 * Redshift has no `CREATE ROLE IF NOT EXISTS`, and a role name must be unique (CREATE ROLE
 * reference); SVV_ROLES (`role_name`) lists the roles, SVV_ROLE_GRANTS (`role_name`,
 * `granted_role_name`) the roles granted to roles.
 */
export const BOOTSTRAP_MIGRATOR_STEPS = [
  { unless: `SELECT 1 FROM svv_roles WHERE role_name = '${DB_ROLES.migrator}'`, run: `CREATE ROLE ${DB_ROLES.migrator}` },
  {
    unless: `SELECT 1 FROM svv_role_grants WHERE role_name = '${DB_ROLES.migrator}' AND granted_role_name = 'sys:superuser'`,
    run: `GRANT ROLE sys:superuser TO ROLE ${DB_ROLES.migrator}`,
  },
] as const;

/**
 * What the deploy runs as the namespace's admin (a superuser) before the first migration, one
 * statement each: Migrate's own role. Creating roles and granting on the database need a
 * superuser or CREATE ROLE; the Migrate user is an ordinary `IAMR:` user until mapped to this role.
 * `sys:superuser` rather than narrower system roles: Migrate also re-creates views and grants on
 * objects a previous Migrate user (a replaced IAM role) owns, which only a superuser may do.
 * Redshift runs PL/pgSQL only in stored procedures (no anonymous `DO` block), so the guarded
 * steps are a procedure, created or replaced, then called; its statements go through `EXECUTE`
 * (dynamic SQL) so that they reach the SQL engine as written.
 */
export const BOOTSTRAP_MIGRATOR_STATEMENTS = [
  `CREATE OR REPLACE PROCEDURE ${BOOTSTRAP_MIGRATOR_PROCEDURE}()
AS $$
BEGIN
${BOOTSTRAP_MIGRATOR_STEPS.map((step) => `  IF NOT EXISTS (${step.unless}) THEN
    EXECUTE '${step.run.replaceAll("'", "''")}';
  END IF;`).join("\n")}
END;
$$ LANGUAGE plpgsql`,
  `CALL ${BOOTSTRAP_MIGRATOR_PROCEDURE}()`,
] as const;
