import { WorkflowNameError } from "./errors.ts";
import type { WorkflowResources } from "./types.ts";

/**
 * Physical names of a workflow's resources, the same in AWS and locally: `<app>-<stage>-<Name>`,
 * as SST names the stage's other resources. Deterministic names let the CLI find a workflow by
 * its description's name in any stage, and let one definition refer to another's ARN.
 */

type Stage = Pick<WorkflowResources, "app" | "stage">;

// AWS limits: state machine names 1–80 of [A-Za-z0-9_-]; schedule and rule names 1–64.
const STATE_MACHINE = { max: 80, pattern: /^[A-Za-z0-9_-]+$/ };
const SCHEDULE = { max: 64, pattern: /^[A-Za-z0-9_.-]+$/ };
const RULE = { max: 64, pattern: /^[A-Za-z0-9_.-]+$/ };
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;

function checked(value: string, limits: { max: number; pattern: RegExp }, kind: string): string {
  if (value.length > limits.max) {
    throw new WorkflowNameError(value, `${kind} names are at most ${limits.max} characters (this one has ${value.length})`);
  }
  if (!limits.pattern.test(value)) throw new WorkflowNameError(value, `not a valid ${kind} name (${limits.pattern})`);
  return value;
}

/** Workflow, schedule and rule names in descriptions are PascalCase identifiers. */
export function assertPascalCase(value: string, kind: string): void {
  if (!PASCAL_CASE.test(value)) throw new WorkflowNameError(value, `${kind} names are PascalCase (${PASCAL_CASE})`);
}

export function stateMachineName(stage: Stage, workflow: string): string {
  return checked(`${stage.app}-${stage.stage}-${workflow}`, STATE_MACHINE, "state machine");
}

export function stateMachineArn(resources: WorkflowResources, workflow: string): string {
  const { partition, region, accountId } = resources;
  return `arn:${partition}:states:${region}:${accountId}:stateMachine:${stateMachineName(resources, workflow)}`;
}

export function scheduleName(stage: Stage, workflow: string, schedule: string): string {
  return checked(`${stage.app}-${stage.stage}-${workflow}-${schedule}`, SCHEDULE, "schedule");
}

export function ruleName(stage: Stage, workflow: string, rule: string): string {
  return checked(`${stage.app}-${stage.stage}-${workflow}-${rule}`, RULE, "rule");
}

/** Under `/aws/vendedlogs/`, as AWS advises, so log delivery does not grow the account's
 *  CloudWatch Logs resource policy past its size limit with every state machine. */
export function logGroupName(stage: Stage, workflow: string): string {
  return `/aws/vendedlogs/states/${stateMachineName(stage, workflow)}`;
}

/** The anomaly endpoint's ARN, for `sagemaker:InvokeEndpoint` on it alone (SageMaker lower-cases names in ARNs). */
export function anomalyEndpointArn(resources: WorkflowResources): string {
  const { partition, region, accountId } = resources;
  return `arn:${partition}:sagemaker:${region}:${accountId}:endpoint/${resources.anomalyEndpointName.toLowerCase()}`;
}
