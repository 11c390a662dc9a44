import { dbRolesTag, type DbRole } from "@freshet/core";
import { ownStatementsCondition } from "@freshet/workflows";
import type { Permission } from "./permissions.ts";

/**
 * How Freshet's IAM roles become database identities. A role calling the Data API with
 * `WorkgroupName` signs in as `IAMR:<role name>` (Redshift Serverless `GetCredentials`, which the
 * Data API calls with the caller's credentials), and that user gets the database roles its
 * `RedshiftDbRoles` principal tag names (colon-separated; a name the database lacks is ignored).
 * The grants themselves are in core's database-roles migration; this attaches the tags, and the
 * IAM a tagged role needs besides the Data API itself (`databaseUserPolicy`).
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

/**
 * Redshift reads the signing-in role's `RedshiftDbRoles` tag through the Resource Groups Tagging
 * API with the caller's own credentials: without these two the role signs in with no database
 * role at all ("Defining database roles to grant to federated users in Amazon Redshift
 * Serverless"). Neither action supports resource-level permissions, hence `*`.
 */
export const DATABASE_ROLE_TAG_LOOKUP: Permission = { actions: ["tag:GetResources", "tag:GetTagKeys"], resources: ["*"] };

/** The Data API actions that take a statement id: granted on the caller's own statements only. */
export const STATEMENT_ACTIONS = ["redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"] as const;

/**
 * The rest of a database user's grants, as a policy of its own attached after `role`: the tag
 * lookups, and `statementActions` on the statements any session of this role submitted (the
 * condition names the role's unique id, which its own inline policy cannot refer to).
 */
export function databaseUserPolicy(name: string, role: aws.iam.Role, statementActions: $util.Input<readonly string[]> = STATEMENT_ACTIONS): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(name, {
    role: role.name,
    policy: $jsonStringify(
      $resolve([role.uniqueId, $output(statementActions)] as const).apply(([uniqueId, actions]: readonly [string, readonly string[]]) => ({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: [...DATABASE_ROLE_TAG_LOOKUP.actions], Resource: ["*"] },
          ...(actions.length === 0 ? [] : [{ Effect: "Allow", Action: [...actions], Resource: ["*"], Condition: ownStatementsCondition(uniqueId) }]),
        ],
      })),
    ),
  });
}
