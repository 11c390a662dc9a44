import type { Json, StateMachineDefinition } from "./asl.ts";

/**
 * The deployed resources a workflow refers to, as plain strings. `stacks/` fills them from the
 * resolved Pulumi outputs of a stage; the local platform from the embedded endpoint's resources.
 * The same values give the same definition in both places.
 */
export interface WorkflowResources {
  /** SST app and stage: together they name the physical resources (`freshet-production-…`). */
  readonly app: string;
  readonly stage: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The lake bucket's name (`Lake`). */
  readonly lakeBucket: string;
  /** SNS topic for pipeline failures (`OpsAlerts`). */
  readonly opsAlertsTopicArn: string;
  /** SNS topic for business-metric anomalies (`MarketingAlerts`). */
  readonly marketingAlertsTopicArn: string;
  /** Freshet's own event bus (`Freshet`). */
  readonly busName: string;
  readonly busArn: string;
  /** Redshift Serverless workgroup the Data API runs SQL on (`Warehouse`), its ARN and database. */
  readonly warehouseWorkgroupName: string;
  readonly warehouseWorkgroupArn: string;
  readonly warehouseDatabase: string;
  /** The role Redshift assumes for COPY (reads processed/ and manifests/ of the lake only). */
  readonly warehouseCopyRoleArn: string;
  /** The Load workflow's planner function (`LoadPlanner`), by name: its ARN follows from the account. */
  readonly loadPlannerFunctionName: string;
  /** The DeadLetterTriage workflow's function (`DeadLetterTriager`), by name. */
  readonly triageFunctionName: string;
  /** The SageMaker endpoint scoring business metrics with Random Cut Forest (`${app}-${stage}-anomaly`). */
  readonly anomalyEndpointName: string;
  /** The AnomalyScoring workflow's function (`AnomalyDecider`), by name. */
  readonly anomalyDeciderFunctionName: string;
}

/** One IAM statement a workflow's role needs, in IAM's own JSON vocabulary. */
export interface WorkflowPermission {
  /** Named actions only (`s3:ListBucket`): never `*` or `service:*`. */
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ StringLike: { "s3:prefix": ["receipts/*"] } }`. */
  readonly conditions?: { readonly [operator: string]: { readonly [key: string]: readonly string[] } };
  /**
   * Data API statement reads (`*`, no IAM resource type) limited to the statements the workflow's
   * own role submitted: the deployer adds `ownStatementsCondition(<role unique id>)`, which it
   * knows only once the role exists (see own-statements.ts).
   */
  readonly ownStatements?: true;
}

/** An EventBridge Scheduler schedule that starts the workflow (UTC, flexible window off). */
export interface WorkflowSchedule {
  /** PascalCase, unique within the workflow; part of the physical schedule name. */
  readonly name: string;
  /** `rate(5 minutes)`, `cron(0 3 * * ? *)`, … in AWS's syntax. */
  readonly expression: string;
  /** The execution input; `{}` when absent. */
  readonly input?: Json;
  /**
   * The input for the expression a stage actually uses (a stage may change the interval): wins
   * over `input`. The Load workflow passes its interval and poll period this way.
   */
  readonly inputFor?: (expression: string) => Json;
}

/** The execution input a schedule starts its workflow with, for the expression in use. */
export function scheduleInputOf(schedule: WorkflowSchedule, expression: string): Json {
  return schedule.inputFor?.(expression) ?? schedule.input ?? {};
}

/** An EventBridge event pattern, as PutRule takes it (parsed). */
export type EventPattern = { readonly [field: string]: Json };

/** An EventBridge rule whose matching events start the workflow. */
export interface WorkflowRule {
  /** PascalCase, unique within the workflow; part of the physical rule name. */
  readonly name: string;
  /** `default` (AWS services' events, e.g. the lake's S3 notifications) or Freshet's own bus. */
  readonly bus: "default" | "freshet";
  /** A pattern, or one built from the stage's resources (e.g. the lake bucket's name). */
  readonly eventPattern: EventPattern | ((resources: WorkflowResources) => EventPattern);
  /** A fixed execution input; absent, the matched event itself is the input. */
  readonly input?: Json;
}

/**
 * A workflow: its state machine, what starts it, and what its Task states may call. `stacks/`
 * turns it into a state machine, schedules, rules and roles; the local platform deploys the same
 * description through the same AWS APIs on the embedded endpoint.
 */
export interface WorkflowDescription {
  /** PascalCase (`LakeFreshness`); names the state machine and its SST link (`LakeFreshnessWorkflow`). */
  readonly name: string;
  readonly summary: string;
  readonly definition: (resources: WorkflowResources) => StateMachineDefinition;
  readonly schedules: readonly WorkflowSchedule[];
  readonly rules: readonly WorkflowRule[];
  /** Least privilege: exactly what the Task states call, on exactly those resources. */
  readonly permissions: (resources: WorkflowResources) => readonly WorkflowPermission[];
}
