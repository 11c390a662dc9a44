import { dbRolesTag, type DbRole } from "@freshet/core";

/**
 * How Freshet's IAM roles become database identities. A role calling the Data API with
 * `WorkgroupName` signs in as `IAMR:<role name>` (Redshift Serverless `GetCredentials`, which the
 * Data API calls with the caller's credentials), and that user gets the database roles its
 * `RedshiftDbRoles` principal tag names (colon-separated; a name the database lacks is ignored).
 * The grants themselves are in core's database-roles migration; this only attaches the tags.
 */

/** The tags of an IAM role mapped to `roles`: `{ RedshiftDbRoles: "a:b" }`. */
export function databaseRoleTags(roles: readonly DbRole[]): Record<string, string> {
  return dbRolesTag(roles);
}

/**
 * A function's `transform.role` that adds the `RedshiftDbRoles` tag to the role SST creates,
 * keeping any tags already set.
 */
export function withDatabaseRoles(roles: readonly DbRole[]): (args: aws.iam.RoleArgs) => undefined {
  const tags = databaseRoleTags(roles);
  return (args) => {
    args.tags = $output(args.tags ?? {}).apply((existing) => ({ ...existing, ...tags }));
    return undefined;
  };
}
