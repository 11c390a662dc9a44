/** What a deployment did to one resource. */
export type DeployAction = "created" | "updated" | "unchanged";

/** A schedule as the deployment sees it: which workflow's, and the expression it would use. */
export interface ScheduleRef {
  readonly workflow: string;
  readonly name: string;
  readonly expression: string;
}

/**
 * Replaces schedule expressions for a local run (`npm start`, tests): one expression for every
 * schedule, or a function choosing per schedule (return `expression` to keep it).
 */
export type ScheduleOverride = string | ((schedule: ScheduleRef) => string);

export interface DeployedSchedule {
  readonly name: string;
  readonly physicalName: string;
  readonly expression: string;
  readonly action: DeployAction;
}

export interface DeployedRule {
  readonly name: string;
  readonly physicalName: string;
  readonly bus: string;
  /** PutRule and PutTargets are upserts: they are sent every time. */
  readonly action: "put";
}

export interface DeployedWorkflow {
  readonly name: string;
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  readonly stateMachine: DeployAction;
  readonly schedules: readonly DeployedSchedule[];
  readonly rules: readonly DeployedRule[];
}

export interface DeployResult {
  readonly workflows: readonly DeployedWorkflow[];
  /** Physical names of schedules and rules removed because no description has them any more. */
  readonly pruned: { readonly schedules: readonly string[]; readonly rules: readonly string[] };
}
