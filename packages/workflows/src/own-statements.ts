/**
 * Data API statements are read by id: IAM has no resource for them, only their owner
 * (`redshift-data:statement-owner-iam-userid`, AWS's service authorization reference for
 * redshift-data), so DescribeStatement, GetStatementResult and CancelStatement are granted on `*`
 * for the caller's own statements.
 *
 * The owner is the submitter's `aws:userid`, which for an assumed role is
 * `<role unique id>:<role session name>` (IAM's policy-variables reference). `${aws:userid}` in a
 * StringEquals would tie a read to the submitting session; Step Functions does not promise one
 * session per execution, so the condition names the role instead: any session of it. A role's
 * unique id exists only once the role does, so the deployer puts this condition in a policy
 * created after the role (`WorkflowPermission.ownStatements`).
 */
export const STATEMENT_OWNER_KEY = "redshift-data:statement-owner-iam-userid";

/** The condition block granting statements submitted by any session of the role `roleUniqueId` (`AROA…`). */
export function ownStatementsCondition(roleUniqueId: string): { readonly StringLike: { readonly [STATEMENT_OWNER_KEY]: readonly string[] } } {
  return { StringLike: { [STATEMENT_OWNER_KEY]: [`${roleUniqueId}:*`] } };
}
