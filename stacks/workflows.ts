import {
  WORKFLOWS,
  checkWorkflows,
  eventPatternOf,
  logGroupName,
  ruleName,
  scheduleInputOf,
  scheduleName,
  stateMachineName,
  type Json,
  type WorkflowDescription,
  type WorkflowPermission,
  type WorkflowResources,
} from "@freshet/workflows";
import { DB_ROLES, type DbRole } from "@freshet/core";
import { databaseRoleTags, databaseUserPolicy } from "./database-roles.ts";
import { WorkflowPermissionError } from "./errors.ts";
import type { Permission } from "./permissions.ts";
import type { Anomaly } from "./anomaly.ts";
import type { Warehouse } from "./warehouse.ts";

/**
 * Freshet's Step Functions workflows, from their descriptions in `@freshet/workflows` (the same
 * objects the local runtime runs): per workflow a STANDARD state machine whose definition is the
 * description's, built from this stage's resolved resource names; its role, holding exactly the
 * description's permissions plus what logging and tracing need; a log group receiving every
 * event with its data; the EventBridge Scheduler schedules and EventBridge rules that start it,
 * each with a role that may only start this state machine, created only once the deploy's
 * migration has run (a first deploy must not start a Load before its tables exist); and an `sst.Linkable` named
 * `<Name>Workflow` ({ arn, name }) so a function can link it and be granted `workflowStarter()`.
 */

export interface WorkflowsInput {
  readonly lake: sst.aws.Bucket;
  readonly opsAlerts: sst.aws.SnsTopic;
  readonly marketingAlerts: sst.aws.SnsTopic;
  readonly bus: sst.aws.Bus;
  readonly warehouse: Warehouse;
  /** The Load workflow's planner (`stacks/load.ts`). */
  readonly loadPlanner: sst.aws.Function;
  /** The DeadLetterTriage workflow's function (`stacks/triage.ts`). */
  readonly triageFunction: sst.aws.Function;
  /** The SageMaker endpoint the AnomalyScoring workflow invokes (`stacks/anomaly.ts`). */
  readonly anomaly: Anomaly;
  /** The AnomalyScoring workflow's function (`stacks/anomaly-decider.ts`). */
  readonly anomalyDecider: sst.aws.Function;
  /** A stage's own expression for a described schedule (e.g. its load interval); default: the description's. */
  readonly scheduleExpression?: (schedule: { workflow: string; name: string; expression: string }) => string;
  /** A stage's own input for a described schedule (e.g. Maintenance's thresholds); undefined: the description's. */
  readonly scheduleInput?: (schedule: { workflow: string; name: string; expression: string }) => Json | undefined;
  /** Defaults to every workflow Freshet has. */
  readonly workflows?: readonly WorkflowDescription[];
  /** How long execution logs are kept (CloudWatch Logs retention, days). */
  readonly logRetentionDays?: number;
  /** The database roles of each workflow that runs SQL (its role's `RedshiftDbRoles` tag). */
  readonly databaseRoles?: Readonly<Record<string, readonly DbRole[]>>;
  /** What schedules and rules wait for besides `warehouse.migration` (e.g. the Load planner's database-user policy). */
  readonly startAfter?: readonly $util.Resource[];
}

export type WorkflowLink = sst.Linkable<{ arn: $util.Output<string>; name: $util.Output<string> }>;

export interface DeployedWorkflow {
  readonly stateMachine: aws.sfn.StateMachine;
  readonly role: aws.iam.Role;
  /** A workflow running SQL: its tag lookups and reads of its own statements (`databaseUserPolicy`). */
  readonly databaseUser?: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly schedules: readonly aws.scheduler.Schedule[];
  readonly rules: readonly { readonly rule: aws.cloudwatch.EventRule; readonly target: aws.cloudwatch.EventTarget }[];
  readonly link: WorkflowLink;
}

export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** Load runs the load transaction through the Data API as its state machine's role; Maintenance its VACUUMs and ANALYZEs. */
export const WORKFLOW_DATABASE_ROLES: Readonly<Record<string, readonly DbRole[]>> = {
  Load: [DB_ROLES.loader],
  Maintenance: [DB_ROLES.maintainer],
  AnomalyScoring: [DB_ROLES.anomaly],
};

/**
 * What Step Functions needs on the state machine's role to deliver its logs to CloudWatch Logs.
 * These CloudWatch Logs actions support no resource-level permissions, so AWS requires `*` as
 * their resource (Step Functions developer guide, "IAM policies for logging to CloudWatch Logs").
 * Actions stay named; the log group itself is chosen by the state machine's logging configuration.
 */
export const LOG_DELIVERY: WorkflowPermission = {
  actions: [
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
  ],
  resources: ["*"],
};

/** X-Ray tracing from the state machine; X-Ray has no resource-level permissions for these. */
export const TRACING: WorkflowPermission = {
  actions: ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"],
  resources: ["*"],
};

/** Lets a function (or anything with a role) start one workflow's executions. */
export function workflowStarter(workflow: DeployedWorkflow): Permission {
  return { actions: ["states:StartExecution"], resources: [workflow.stateMachine.arn] };
}

export function createWorkflows(input: WorkflowsInput): Record<string, DeployedWorkflow> {
  const workflows = input.workflows ?? WORKFLOWS;
  checkWorkflows(workflows);
  // Rule patterns built from the stage's resources can be checked only once Pulumi resolves them:
  // a refused one fails every resource built from them.
  const resources = resolveResources(input).apply((values) => {
    checkWorkflows(workflows, values);
    return values;
  });
  const deployed: Record<string, DeployedWorkflow> = {};
  for (const workflow of workflows) deployed[workflow.name] = createWorkflow(workflow, input, resources);
  return deployed;
}

/** The description's resources as this stage resolves them: same names, same definition. */
function resolveResources({ lake, opsAlerts, marketingAlerts, bus, warehouse, loadPlanner, triageFunction, anomaly, anomalyDecider }: WorkflowsInput): $util.Output<WorkflowResources> {
  return $resolve({
    app: $app.name,
    stage: $app.stage,
    partition: aws.getPartitionOutput().partition,
    region: aws.getRegionOutput().region,
    accountId: aws.getCallerIdentityOutput().accountId,
    lakeBucket: lake.name,
    opsAlertsTopicArn: opsAlerts.arn,
    marketingAlertsTopicArn: marketingAlerts.arn,
    busName: bus.name,
    busArn: bus.arn,
    warehouseWorkgroupName: warehouse.workgroup.workgroupName,
    warehouseWorkgroupArn: warehouse.workgroup.arn,
    warehouseDatabase: warehouse.database,
    warehouseCopyRoleArn: warehouse.copyRole.arn,
    loadPlannerFunctionName: loadPlanner.name,
    triageFunctionName: triageFunction.name,
    anomalyEndpointName: anomaly.endpointName,
    anomalyDeciderFunctionName: anomalyDecider.name,
  });
}

function createWorkflow(
  workflow: WorkflowDescription,
  input: WorkflowsInput,
  resources: $util.Output<WorkflowResources>,
): DeployedWorkflow {
  const { name } = workflow;
  const stage = { app: $app.name, stage: $app.stage };
  const machineName = stateMachineName(stage, name);

  const logGroup = new aws.cloudwatch.LogGroup(`${name}WorkflowLogs`, {
    name: logGroupName(stage, name),
    retentionInDays: input.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
  });

  const databaseRoles = (input.databaseRoles ?? WORKFLOW_DATABASE_ROLES)[name];
  const role = new aws.iam.Role(`${name}WorkflowRole`, {
    description: `Freshet ${name} state machine`,
    ...(databaseRoles === undefined ? {} : { tags: databaseRoleTags(databaseRoles) }),
    // Only Step Functions, for this state machine in this account (confused-deputy guard).
    assumeRolePolicy: $jsonStringify(
      resources.apply((r) =>
        trustPolicy("states.amazonaws.com", r.accountId, `arn:${r.partition}:states:${r.region}:${r.accountId}:stateMachine:${machineName}`),
      ),
    ),
    inlinePolicies: [
      {
        name: "workflow",
        policy: $jsonStringify(
          resources.apply((r) => {
            const permissions = workflow.permissions(r);
            if (databaseRoles === undefined && permissions.some((p) => p.ownStatements)) {
              throw new WorkflowPermissionError(`${name} reads its own Data API statements but has no database roles (WORKFLOW_DATABASE_ROLES)`);
            }
            return policyDocument([...permissions.filter((p) => !p.ownStatements), LOG_DELIVERY, TRACING]);
          }),
        ),
      },
    ],
  });
  // Statement reads name the role's unique id, so they live in a policy attached after the role.
  const databaseUser =
    databaseRoles === undefined
      ? undefined
      : databaseUserPolicy(
          `${name}WorkflowDatabaseUser`,
          role,
          resources.apply((r) => [...new Set(workflow.permissions(r).flatMap((p) => (p.ownStatements ? p.actions : [])))].sort()),
        );

  const stateMachine = new aws.sfn.StateMachine(`${name}StateMachine`, {
    name: machineName,
    type: "STANDARD",
    roleArn: role.arn,
    definition: $jsonStringify(resources.apply((r) => workflow.definition(r))),
    loggingConfiguration: {
      level: "ALL",
      includeExecutionData: true,
      logDestination: $interpolate`${logGroup.arn}:*`,
    },
    tracingConfiguration: { enabled: true },
  }, { dependsOn: databaseUser === undefined ? [] : [databaseUser] });

  // Nothing starts an execution before the deploy's migration has run (and the workflow's grants exist).
  const startAfter = [input.warehouse.migration, ...(input.startAfter ?? [])];
  const schedules =
    workflow.schedules.length === 0 ? [] : createSchedules(workflow, stateMachine, resources, startAfter, input.scheduleExpression, input.scheduleInput);
  const rules = workflow.rules.length === 0 ? [] : createRules(workflow, stateMachine, resources, input.bus, startAfter);

  const link: WorkflowLink = new sst.Linkable(`${name}Workflow`, {
    properties: { arn: stateMachine.arn, name: stateMachine.name },
  });

  return { stateMachine, role, ...(databaseUser === undefined ? {} : { databaseUser }), logGroup, schedules, rules, link };
}

function createSchedules(
  workflow: WorkflowDescription,
  stateMachine: aws.sfn.StateMachine,
  resources: $util.Output<WorkflowResources>,
  startAfter: readonly $util.Resource[],
  expressionOf: WorkflowsInput["scheduleExpression"] = (s) => s.expression,
  inputOf: WorkflowsInput["scheduleInput"] = () => undefined,
): aws.scheduler.Schedule[] {
  const { name } = workflow;
  const role = starterRole(`${name}SchedulerRole`, "scheduler.amazonaws.com", stateMachine, resources);
  return workflow.schedules.map((schedule) => {
    const ref = { workflow: name, name: schedule.name, expression: schedule.expression };
    const expression = expressionOf(ref);
    const scheduleInput = inputOf(ref) ?? scheduleInputOf(schedule, expression);
    return new aws.scheduler.Schedule(`${name}${schedule.name}Schedule`, {
        name: scheduleName({ app: $app.name, stage: $app.stage }, name, schedule.name),
        description: `Starts ${name}`,
        scheduleExpression: expression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: { arn: stateMachine.arn, roleArn: role.arn, input: JSON.stringify(scheduleInput) },
      }, { dependsOn: [...startAfter] });
  });
}

function createRules(
  workflow: WorkflowDescription,
  stateMachine: aws.sfn.StateMachine,
  resources: $util.Output<WorkflowResources>,
  bus: sst.aws.Bus,
  startAfter: readonly $util.Resource[],
): DeployedWorkflow["rules"][number][] {
  const { name } = workflow;
  const role = starterRole(`${name}EventsRole`, "events.amazonaws.com", stateMachine, resources);
  return workflow.rules.map((r) => {
    const eventBusName = r.bus === "default" ? "default" : bus.name;
    const rule = new aws.cloudwatch.EventRule(`${name}${r.name}Rule`, {
      name: ruleName({ app: $app.name, stage: $app.stage }, name, r.name),
      description: `Starts ${name}`,
      eventBusName,
      eventPattern: $jsonStringify(resources.apply((values) => eventPatternOf(r, values))),
      state: "ENABLED",
    }, { dependsOn: [...startAfter] });
    const target = new aws.cloudwatch.EventTarget(`${name}${r.name}Target`, {
      rule: rule.name,
      eventBusName,
      targetId: name,
      arn: stateMachine.arn,
      roleArn: role.arn,
      // Without a fixed input the matched event is the execution's input.
      ...(r.input === undefined ? {} : { input: JSON.stringify(r.input) }),
    });
    return { rule, target };
  });
}

/** A role a service (Scheduler, EventBridge) assumes to start one state machine, and nothing else. */
function starterRole(
  logicalName: string,
  service: string,
  stateMachine: aws.sfn.StateMachine,
  resources: $util.Output<WorkflowResources>,
): aws.iam.Role {
  return new aws.iam.Role(logicalName, {
    assumeRolePolicy: $jsonStringify(resources.apply((r) => trustPolicy(service, r.accountId))),
    inlinePolicies: [
      {
        name: "start-execution",
        policy: $jsonStringify(
          stateMachine.arn.apply((arn) => policyDocument([{ actions: ["states:StartExecution"], resources: [arn] }])),
        ),
      },
    ],
  });
}

function trustPolicy(service: string, accountId: string, sourceArn?: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ...(sourceArn === undefined ? {} : { ArnLike: { "aws:SourceArn": sourceArn } }),
        },
      },
    ],
  };
}

function policyDocument(permissions: readonly WorkflowPermission[]) {
  return {
    Version: "2012-10-17",
    Statement: permissions.map((p) => ({
      Effect: "Allow",
      Action: [...p.actions],
      Resource: [...p.resources],
      ...(p.conditions === undefined ? {} : { Condition: p.conditions }),
    })),
  };
}
