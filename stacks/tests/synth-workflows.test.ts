/**
 * stacks/workflows.ts under the mock synthesis: every workflow description becomes a state machine
 * whose deployed definition is the description's object, built from this synth's own resource
 * values, with logging, tracing, its schedules and rules, and least-privilege roles.
 * `WORKFLOWS` gets one test-only workflow (fixtures/triggers-workflow.ts) so that the rule
 * plumbing is synthesized before any real workflow uses it.
 */
import {
  WORKFLOWS,
  ownStatementsCondition,
  eventPatternOf,
  logGroupName,
  ruleName,
  scheduleName,
  stateMachineArn,
  stateMachineName,
  type WorkflowDescription,
  type WorkflowPermission,
  type WorkflowResources,
} from "@freshet/workflows";
import { DEFAULT_MAINTENANCE_THRESHOLDS } from "@freshet/core";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { DATABASE_ROLE_TAG_LOOKUP } from "../database-roles.ts";
import { DEFAULT_LOG_RETENTION_DAYS, LOG_DELIVERY, TRACING, WORKFLOW_DATABASE_ROLES } from "../workflows.ts";
import { ACCOUNT, REGION } from "./harness/fake-aws.ts";
import { policyStatements, wildcardGrants } from "./harness/iam.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

vi.mock("@freshet/workflows", async (importOriginal) => {
  const original = await importOriginal<typeof import("@freshet/workflows")>();
  const { TriggersFixture } = await import("./fixtures/triggers-workflow.ts");
  return { ...original, WORKFLOWS: [...original.WORKFLOWS, TriggersFixture] };
});

const ROLE = "aws:iam/role:Role";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
const stage = { app: "freshet", stage: "ci" };

/** The values a description is built from, read from what the synth recorded (not from stacks/). */
function resources(): WorkflowResources {
  const bus = r().one("aws:cloudwatch/eventBus:EventBus", "FreshetBus").outputs;
  return {
    ...stage,
    partition: "aws",
    region: REGION,
    accountId: ACCOUNT,
    lakeBucket: r().one("aws:s3/bucket:Bucket", "LakeBucket").outputs.bucket,
    opsAlertsTopicArn: r().one("aws:sns/topic:Topic", "OpsAlertsTopic").outputs.arn,
    marketingAlertsTopicArn: r().one("aws:sns/topic:Topic", "MarketingAlertsTopic").outputs.arn,
    busName: bus.name,
    busArn: bus.arn,
    warehouseWorkgroupName: r().one("aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup").outputs.workgroupName,
    warehouseWorkgroupArn: r().one("aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup").outputs.arn,
    warehouseDatabase: r().one("aws:redshiftserverless/namespace:Namespace", "WarehouseNamespace").outputs.dbName,
    warehouseCopyRoleArn: r().one(ROLE, "WarehouseCopyRole").outputs.arn,
    loadPlannerFunctionName: r().lambda("LoadPlanner").fn.outputs.name,
    triageFunctionName: r().lambda("DeadLetterTriager").fn.outputs.name,
    anomalyEndpointName: r().one("aws:sagemaker/endpoint:Endpoint", "AnomalyEndpoint").outputs.name,
    anomalyDeciderFunctionName: r().lambda("AnomalyDecider").fn.outputs.name,
  };
}

const machine = (w: WorkflowDescription) => r().one(STATE_MACHINE, `${w.name}StateMachine`);

type Statement = { actions: string[]; resources: string[]; conditions?: unknown };
const normalise = (s: { actions: readonly string[]; resources: readonly string[]; conditions?: unknown }): Statement => ({
  actions: [...s.actions].sort(),
  resources: [...s.resources].sort(),
  ...(s.conditions === undefined ? {} : { conditions: s.conditions }),
});
const byActions = (a: Statement, b: Statement) => a.actions.join().localeCompare(b.actions.join());

/** A role's inline policy, as IAM stores it (conditions included). */
function inlinePolicy(role: string): Statement[] {
  const { inlinePolicies } = r().one(ROLE, role).inputs as { inlinePolicies: { policy: string }[] };
  expect(inlinePolicies).toHaveLength(1);
  const doc = JSON.parse(inlinePolicies[0]!.policy) as { Statement: { Effect: string; Action: string[]; Resource: string[]; Condition?: unknown }[] };
  for (const s of doc.Statement) expect(s.Effect).toBe("Allow");
  return doc.Statement.map((s) => normalise({ actions: s.Action, resources: s.Resource, conditions: s.Condition })).sort(byActions);
}

function trust(role: string): { Principal: unknown; Action: string; Condition: Record<string, Record<string, string>> } {
  const doc = JSON.parse(r().one(ROLE, role).inputs.assumeRolePolicy as string);
  expect(doc.Statement).toHaveLength(1);
  return doc.Statement[0];
}

/** The description's permissions as the inline policy holds them: statement reads go to the database-user policy. */
const expectedPolicy = (permissions: readonly WorkflowPermission[]) => permissions.filter((p) => !p.ownStatements).map(normalise).sort(byActions);

/** The policy attached after a workflow's role (`databaseUserPolicy`). */
function databaseUserPolicy(workflow: string): Statement[] {
  const policy = r().one("aws:iam/rolePolicy:RolePolicy", `${workflow}WorkflowDatabaseUser`);
  expect(policy.inputs.role).toBe(r().one(ROLE, `${workflow}WorkflowRole`).outputs.name);
  const doc = JSON.parse(policy.inputs.policy as string) as { Statement: { Effect: string; Action: string[]; Resource: string[]; Condition?: unknown }[] };
  return doc.Statement.map((s) => normalise({ actions: s.Action, resources: s.Resource, conditions: s.Condition })).sort(byActions);
}
const uniqueId = (workflow: string) => r().one(ROLE, `${workflow}WorkflowRole`).outputs.uniqueId as string;

/** What a schedule or rule waits for: the deploy's migration, and the Load planner's database-user policy. */
const START_AFTER = ["WarehouseMigration", "LoadPlannerDatabaseUser"];

it("deploys every workflow and only those", () => {
  expect(WORKFLOWS.map((w) => w.name)).toEqual(["LakeFreshness", "Load", "Maintenance", "DeadLetterTriage", "AnomalyScoring", "TriggersFixture"]);
  expect(r().ofType(STATE_MACHINE).map((m) => m.inputs.name).sort()).toEqual(
    WORKFLOWS.map((w) => stateMachineName(stage, w.name)).sort(),
  );
});

describe.each(WORKFLOWS.map((w) => [w.name, w] as const))("%s", (_name, workflow) => {
  it("deploys exactly the description's definition, built from this stage's resources", () => {
    const deployed = JSON.parse(machine(workflow).inputs.definition as string);
    expect(deployed).toEqual(workflow.definition(resources()));
    // The resource values really are this synth's: a different stage gives another definition.
    expect(deployed).not.toEqual(
      workflow.definition({ ...resources(), lakeBucket: "other", opsAlertsTopicArn: "other", marketingAlertsTopicArn: "other", warehouseWorkgroupName: "other" }),
    );
    expect(machine(workflow).inputs).toMatchObject({ name: stateMachineName(stage, workflow.name), type: "STANDARD" });
    expect(machine(workflow).outputs.arn).toBe(stateMachineArn(resources(), workflow.name));
  });

  it("logs every event with its data to a retained log group, and traces", () => {
    const logs = r().one("aws:cloudwatch/logGroup:LogGroup", `${workflow.name}WorkflowLogs`);
    expect(logs.inputs).toMatchObject({ name: logGroupName(stage, workflow.name), retentionInDays: DEFAULT_LOG_RETENTION_DAYS });
    expect(machine(workflow).inputs.loggingConfiguration).toEqual({
      level: "ALL",
      includeExecutionData: true,
      logDestination: `${logs.outputs.arn}:*`,
    });
    expect(machine(workflow).inputs.tracingConfiguration).toEqual({ enabled: true });
  });

  it("runs under a role with exactly the declared permissions plus log delivery and tracing", () => {
    const role = r().one(ROLE, `${workflow.name}WorkflowRole`);
    expect(machine(workflow).inputs.roleArn).toBe(role.outputs.arn);
    expect(inlinePolicy(role.name)).toEqual(expectedPolicy([...workflow.permissions(resources()), LOG_DELIVERY, TRACING]));
    const statement = trust(role.name);
    expect(statement.Principal).toEqual({ Service: "states.amazonaws.com" });
    expect(statement.Action).toBe("sts:AssumeRole");
    expect(statement.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": stateMachineArn(resources(), workflow.name) },
    });
  });

  it("declares named actions only, and `*` resources only where AWS requires them", () => {
    for (const s of inlinePolicy(`${workflow.name}WorkflowRole`)) {
      for (const action of s.actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      // AWS requires `*` for log delivery and tracing; Data API statement ids are in the database-user policy.
      if (s.resources.includes("*")) expect([LOG_DELIVERY, TRACING].map((p) => normalise(p))).toContainEqual(s);
    }
  });

  it("reads its own statements and its tag through a policy attached after its role, if it runs SQL", () => {
    const own = workflow.permissions(resources()).filter((p) => p.ownStatements);
    if (WORKFLOW_DATABASE_ROLES[workflow.name] === undefined) {
      expect(own).toEqual([]);
      expect(r().has("aws:iam/rolePolicy:RolePolicy", `${workflow.name}WorkflowDatabaseUser`)).toBe(false);
      return;
    }
    expect(databaseUserPolicy(workflow.name)).toEqual(
      [
        { actions: DATABASE_ROLE_TAG_LOOKUP.actions, resources: ["*"] },
        { actions: [...new Set(own.flatMap((p) => p.actions))], resources: ["*"], conditions: ownStatementsCondition(uniqueId(workflow.name)) },
      ]
        .map(normalise)
        .sort(byActions),
    );
    // No execution can start before those grants exist.
    expect(machine(workflow).options.dependsOn).toEqual([`${workflow.name}WorkflowDatabaseUser`]);
  });

  it("is started by each of its schedules: UTC, no flexible window, through a start-only role", () => {
    const schedules = r().ofType("aws:scheduler/schedule:Schedule", (s) => s.name.startsWith(workflow.name));
    expect(schedules).toHaveLength(workflow.schedules.length);
    for (const schedule of workflow.schedules) {
      const deployed = r().one("aws:scheduler/schedule:Schedule", `${workflow.name}${schedule.name}Schedule`);
      // Created only after the deploy's migration: a first deploy cannot start a workflow on a warehouse without tables.
      expect(deployed.options.dependsOn).toEqual(START_AFTER);
      expect(deployed.inputs).toMatchObject({
        name: scheduleName(stage, workflow.name, schedule.name),
        // The stage's load interval (5 minutes for ci) replaces Load's; the others are as described.
        scheduleExpression: workflow.name === "Load" ? "rate(5 minutes)" : schedule.expression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
      });
      const role = r().one(ROLE, `${workflow.name}SchedulerRole`);
      expect(deployed.inputs.target).toEqual({
        arn: machine(workflow).outputs.arn,
        roleArn: role.outputs.arn,
        input: JSON.stringify(
          workflow.name === "Load"
            ? { intervalSeconds: 300, pollSeconds: 5 }
            : workflow.name === "Maintenance"
              ? { thresholds: DEFAULT_MAINTENANCE_THRESHOLDS, budgetMinutes: 120 }
              : (schedule.input ?? {}),
        ),
      });
    }
    if (workflow.schedules.length > 0) expectStarterRole(`${workflow.name}SchedulerRole`, "scheduler.amazonaws.com", workflow);
  });

  it("is started by each of its rules, on the right bus, through a start-only role", () => {
    expect(r().ofType("aws:cloudwatch/eventRule:EventRule", (x) => x.name.startsWith(workflow.name))).toHaveLength(workflow.rules.length);
    for (const rule of workflow.rules) {
      const deployed = r().one("aws:cloudwatch/eventRule:EventRule", `${workflow.name}${rule.name}Rule`);
      expect(deployed.options.dependsOn).toEqual(START_AFTER);
      const bus = rule.bus === "default" ? "default" : resources().busName;
      expect(deployed.inputs).toMatchObject({ name: ruleName(stage, workflow.name, rule.name), eventBusName: bus, state: "ENABLED" });
      expect(JSON.parse(deployed.inputs.eventPattern as string)).toEqual(eventPatternOf(rule, resources()));
      const target = r().one("aws:cloudwatch/eventTarget:EventTarget", `${workflow.name}${rule.name}Target`);
      expect(target.inputs).toMatchObject({
        rule: deployed.outputs.name,
        eventBusName: bus,
        arn: machine(workflow).outputs.arn,
        roleArn: r().one(ROLE, `${workflow.name}EventsRole`).outputs.arn,
      });
      expect(target.inputs.input).toBe(rule.input === undefined ? undefined : JSON.stringify(rule.input));
    }
    if (workflow.rules.length > 0) expectStarterRole(`${workflow.name}EventsRole`, "events.amazonaws.com", workflow);
    else expect(r().has(ROLE, `${workflow.name}EventsRole`)).toBe(false);
  });

  it("is linkable as <Name>Workflow with its ARN and name, granting nothing by itself", () => {
    expect(r().one("sst:sst:Linkable", `${workflow.name}Workflow`)).toBeDefined();
    const ref = r().one("sst:sst:LinkRef", `${workflow.name}WorkflowLinkRef`);
    expect(ref.inputs.properties).toEqual({ arn: machine(workflow).outputs.arn, name: machine(workflow).outputs.name });
    expect(ref.inputs.include ?? []).toEqual([]);
  });
});

it("gives Maintenance exactly the Data API, its lease, the claims listing, the bus and OpsAlerts, as freshet_maintainer", () => {
  const { lakeBucket, warehouseWorkgroupArn, busArn, opsAlertsTopicArn } = resources();
  const role = r().one(ROLE, "MaintenanceWorkflowRole");
  expect(role.inputs.tags).toEqual({ RedshiftDbRoles: "freshet_maintainer" });
  expect(inlinePolicy(role.name)).toEqual(
    [
      { actions: ["events:PutEvents"], resources: [busArn] },
      { actions: ["redshift-data:ExecuteStatement"], resources: [warehouseWorkgroupArn] },
      { actions: ["redshift-serverless:GetCredentials"], resources: [warehouseWorkgroupArn] },
      { actions: ["s3:DeleteObject", "s3:PutObject"], resources: [`arn:aws:s3:::${lakeBucket}/manifests/state/maintenance-lease.json`] },
      { actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${lakeBucket}`], conditions: { StringLike: { "s3:prefix": ["manifests/in-flight/*"] } } },
      { actions: ["sns:Publish"], resources: [opsAlertsTopicArn] },
      { actions: ["states:ListExecutions"], resources: [`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:freshet-ci-Maintenance`] },
      LOG_DELIVERY,
      TRACING,
    ]
      .map(normalise)
      .sort(byActions),
  );
  expect(databaseUserPolicy("Maintenance")).toContainEqual(
    normalise({
      actions: ["redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"],
      resources: ["*"],
      conditions: ownStatementsCondition(uniqueId("Maintenance")),
    }),
  );
  const schedule = r().one("aws:scheduler/schedule:Schedule", "MaintenanceNightlySchedule");
  expect(schedule.inputs).toMatchObject({ scheduleExpression: "cron(17 3 * * ? *)", scheduleExpressionTimezone: "UTC" });
});

it("gives AnomalyScoring exactly its decider, the Data API, InvokeEndpoint on the stage's endpoint, both topics and the bus, as freshet_anomaly", () => {
  const { warehouseWorkgroupArn, busArn, opsAlertsTopicArn, marketingAlertsTopicArn, anomalyEndpointName, anomalyDeciderFunctionName } = resources();
  const role = r().one(ROLE, "AnomalyScoringWorkflowRole");
  expect(role.inputs.tags).toEqual({ RedshiftDbRoles: "freshet_anomaly" });
  const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${anomalyDeciderFunctionName}`;
  expect(inlinePolicy(role.name)).toEqual(
    [
      { actions: ["events:PutEvents"], resources: [busArn] },
      { actions: ["lambda:InvokeFunction"], resources: [fn, `${fn}:*`] },
      { actions: ["redshift-data:ExecuteStatement"], resources: [warehouseWorkgroupArn] },
      { actions: ["redshift-serverless:GetCredentials"], resources: [warehouseWorkgroupArn] },
      { actions: ["sagemaker:InvokeEndpoint"], resources: [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${anomalyEndpointName.toLowerCase()}`] },
      { actions: ["sns:Publish"], resources: [marketingAlertsTopicArn, opsAlertsTopicArn] },
      LOG_DELIVERY,
      TRACING,
    ]
      .map(normalise)
      .sort(byActions),
  );
  expect(databaseUserPolicy("AnomalyScoring")).toContainEqual(
    normalise({ actions: ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"], resources: ["*"], conditions: ownStatementsCondition(uniqueId("AnomalyScoring")) }),
  );
  const rule = r().one("aws:cloudwatch/eventRule:EventRule", "AnomalyScoringAfterLoadRule");
  expect(rule.inputs.eventBusName).toBe(resources().busName);
  expect(JSON.parse(rule.inputs.eventPattern)).toEqual({ source: ["freshet.load"], "detail-type": ["LoadCompleted"] });
  expect(r().one("aws:scheduler/schedule:Schedule", "AnomalyScoringFallbackSchedule").inputs.scheduleExpression).toBe("rate(15 minutes)");
});

it("routes the fixture's rules to the default bus and to the Freshet bus", () => {
  const buses = r()
    .ofType("aws:cloudwatch/eventRule:EventRule", (x) => x.name.startsWith("TriggersFixture"))
    .map((x) => x.inputs.eventBusName)
    .sort();
  expect(buses).toEqual(["default", resources().busName].sort());
});

it("grants no wildcard action anywhere in the app", () => {
  const statements = policyStatements(r().all, result.calls);
  expect(statements.filter((s) => s.source.includes("WorkflowRole")).length).toBeGreaterThanOrEqual(WORKFLOWS.length * 3);
  expect(wildcardGrants(statements)).toEqual([]);
});

function expectStarterRole(role: string, service: string, workflow: WorkflowDescription): void {
  expect(inlinePolicy(role)).toEqual([{ actions: ["states:StartExecution"], resources: [machine(workflow).outputs.arn] }]);
  const statement = trust(role);
  expect(statement.Principal).toEqual({ Service: service });
  expect(statement.Condition).toEqual({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
}
