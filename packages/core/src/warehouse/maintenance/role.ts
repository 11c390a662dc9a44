import { DB_ROLES } from "../db-roles.ts";

/**
 * The Maintenance workflow's database role. Redshift lets the table owner, a superuser, or a
 * user holding the VACUUM (ANALYZE) system permission run VACUUM (ANALYZE) on a table (RBAC
 * system permissions; `sys:operator` bundles them with CANCEL and catalog access). The tables
 * belong to the Migrate user, and borrowing its `sys:superuser` role for a nightly job would
 * be far more than it needs; so the role holds the two system permissions, SELECT on
 * SVV_TABLE_INFO (which Redshift shows only to superusers unless SELECT on it is granted) and
 * ACCESS SYSTEM TABLE, so that the view shows it every table's row. It reads and writes no
 * table data.
 */
export const MAINTAINER_ROLE_STATEMENTS: readonly string[] = [
  `CREATE ROLE ${DB_ROLES.maintainer}`,
  `GRANT VACUUM, ANALYZE TO ROLE ${DB_ROLES.maintainer}`,
  `GRANT SELECT ON svv_table_info TO ROLE ${DB_ROLES.maintainer}`,
  // SVV_TABLE_INFO is a superuser's view: SELECT lets the role query it, this lets it see every
  // table's row (the tables are the migrator's). Without it the health could come back empty and
  // maintenance would do nothing, silently.
  `GRANT ACCESS SYSTEM TABLE TO ROLE ${DB_ROLES.maintainer}`,
];
