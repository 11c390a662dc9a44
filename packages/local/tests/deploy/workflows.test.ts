/**
 * deployWorkflows against recording stand-ins of the Step Functions, Scheduler and EventBridge
 * APIs (stubs/) through unchanged SDK clients: every call it makes is visible, the service's ARNs
 * are in another account than the resources', and foreign schedules and rules can be planted.
 * local-services.test.ts runs the same deployment against the endpoint's real services.
 */
import { LakeFreshness, WORKFLOWS, stateMachineName, type WorkflowDescription } from "@freshet/workflows";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deployWorkflows, WorkflowDeployError, type DeployWorkflowsOptions } from "../../src/deploy/index.ts";
import { RESOURCES, SERVICE_ACCOUNT, startDeployHarness, type DeployHarness } from "./harness.ts";
import { mutations } from "./stubs/recorder.ts";

/** A workflow with a rule on each bus, a fixed-input rule and two schedules. */
const TRIGGERED: WorkflowDescription = {
  name: "Triggered",
  summary: "test workflow",
  definition: (r) => ({
    QueryLanguage: "JSONata",
    StartAt: "Announce",
    States: {
      Announce: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Arguments: { TopicArn: r.opsAlertsTopicArn, Message: "hi" }, End: true },
    },
  }),
  schedules: [
    { name: "Nightly", expression: "cron(0 3 * * ? *)", input: { window: "night" } },
    { name: "Hourly", expression: "rate(1 hour)" },
  ],
  rules: [
    {
      name: "DeadLettersLanded",
      bus: "default",
      eventPattern: (r) => ({ source: ["aws.s3"], detail: { bucket: { name: [r.lakeBucket] }, object: { key: [{ prefix: "dlq/" }] } } }),
    },
    { name: "LoadCompleted", bus: "freshet", eventPattern: { source: ["freshet"], "detail-type": ["LoadCompleted"] }, input: { reason: "load" } },
  ],
  permissions: (r) => [{ actions: ["sns:Publish"], resources: [r.opsAlertsTopicArn] }],
};

let h: DeployHarness;
beforeEach(async () => {
  h = await startDeployHarness({ sfnPageSize: 2 });
});
afterEach(async () => {
  await h.stop();
});

const deploy = (options: Partial<DeployWorkflowsOptions> = {}) => deployWorkflows({ ...h.clients(), resources: RESOURCES, ...options });
const machineArn = (name: string) => `arn:aws:states:us-east-1:${SERVICE_ACCOUNT}:stateMachine:freshet-local-${name}`;

it("deploys locally with the platform's names in the services' default account", () => {
  expect(RESOURCES).toEqual({
    app: "freshet",
    stage: "local",
    partition: "aws",
    region: "us-east-1",
    accountId: "000000000000",
    lakeBucket: "freshet-local-lake",
    opsAlertsTopicArn: "arn:aws:sns:us-east-1:000000000000:freshet-local-OpsAlerts",
    marketingAlertsTopicArn: "arn:aws:sns:us-east-1:000000000000:freshet-local-MarketingAlerts",
    busName: "freshet-local-Freshet",
    busArn: "arn:aws:events:us-east-1:000000000000:event-bus/freshet-local-Freshet",
    warehouseWorkgroupName: "freshet-local",
    warehouseWorkgroupArn: "arn:aws:redshift-serverless:us-east-1:000000000000:workgroup/freshet-local",
    warehouseDatabase: "freshet",
    warehouseCopyRoleArn: "arn:aws:iam::000000000000:role/freshet-local-WarehouseCopy",
    loadPlannerFunctionName: "freshet-local-LoadPlanner",
    triageFunctionName: "freshet-local-DeadLetterTriager",
    anomalyEndpointName: "freshet-local-anomaly",
    anomalyDeciderFunctionName: "freshet-local-AnomalyDecider",
  });
});

describe("a first deployment", () => {
  it("creates every described state machine with the description's definition", async () => {
    const result = await deploy();
    expect(result.workflows.map((w) => [w.name, w.stateMachine])).toEqual(WORKFLOWS.map((w) => [w.name, "created"]));
    for (const workflow of WORKFLOWS) {
      const machine = h.sfn.machines.get(stateMachineName(RESOURCES, workflow.name))!;
      expect(JSON.parse(machine.definition)).toEqual(workflow.definition(RESOURCES));
      expect(machine).toMatchObject({ type: "STANDARD", roleArn: "arn:aws:iam::000000000000:role/freshet-local-workflows" });
    }
  });

  it("schedules LakeFreshness every 5 minutes, UTC, no flexible window, targeting the service's ARN", async () => {
    const result = await deploy();
    expect(result.workflows[0]!.stateMachineArn).toBe(machineArn("LakeFreshness"));
    expect(h.scheduler.schedules.get("freshet-local-LakeFreshness-Every5Minutes")).toMatchObject({
      ScheduleExpression: "rate(5 minutes)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: { Arn: machineArn("LakeFreshness"), RoleArn: "arn:aws:iam::000000000000:role/freshet-local-workflows", Input: "{}" },
    });
    expect(h.scheduler.schedules.size).toBe(WORKFLOWS.flatMap((w) => w.schedules).length);
  });

  it("puts each rule on its bus with the workflow as target, the pattern built from the resources", async () => {
    const result = await deploy({ workflows: [TRIGGERED], roleArn: "arn:aws:iam::000000000000:role/custom" });
    expect(result.workflows[0]!.rules).toEqual([
      { name: "DeadLettersLanded", physicalName: "freshet-local-Triggered-DeadLettersLanded", bus: "default", action: "put" },
      { name: "LoadCompleted", physicalName: "freshet-local-Triggered-LoadCompleted", bus: RESOURCES.busName, action: "put" },
    ]);
    const dlq = h.events.rules.get("default/freshet-local-Triggered-DeadLettersLanded")!;
    expect(dlq.eventPattern).toEqual({ source: ["aws.s3"], detail: { bucket: { name: ["freshet-local-lake"] }, object: { key: [{ prefix: "dlq/" }] } } });
    // No fixed input: the matched event is the execution's input.
    expect([...dlq.targets.values()]).toEqual([{ Id: "Triggered", Arn: machineArn("Triggered"), RoleArn: "arn:aws:iam::000000000000:role/custom" }]);
    const load = h.events.rules.get(`${RESOURCES.busName}/freshet-local-Triggered-LoadCompleted`)!;
    expect([...load.targets.values()]).toEqual([
      { Id: "Triggered", Arn: machineArn("Triggered"), RoleArn: "arn:aws:iam::000000000000:role/custom", Input: '{"reason":"load"}' },
    ]);
    expect(h.scheduler.schedules.get("freshet-local-Triggered-Nightly")?.Target.Input).toBe('{"window":"night"}');
  });
});

describe("a restart", () => {
  it("changes nothing when the descriptions did not change", async () => {
    await deploy({ workflows: [...WORKFLOWS, TRIGGERED] });
    const [sfnBefore, schedulerBefore] = [h.sfn.calls.length, h.scheduler.calls.length];
    const again = await deploy({ workflows: [...WORKFLOWS, TRIGGERED] });
    expect(again.workflows.map((w) => w.stateMachine)).toEqual([...WORKFLOWS, TRIGGERED].map(() => "unchanged"));
    expect(again.workflows.flatMap((w) => w.schedules.map((s) => s.action))).toEqual(
      [...WORKFLOWS, TRIGGERED].flatMap((w) => w.schedules).map(() => "unchanged"),
    );
    const calls = [...h.sfn.calls.slice(sfnBefore), ...h.scheduler.calls.slice(schedulerBefore)];
    expect(calls.length).toBeGreaterThan(0);
    expect(mutations(calls)).toEqual([]);
    // Rules are upserts: re-sent, still one rule with one target each (the fixture's two and every workflow's).
    expect(h.events.rules.size).toBe(2 + WORKFLOWS.flatMap((w) => w.rules).length);
    for (const rule of h.events.rules.values()) expect(rule.targets.size).toBe(1);
  });

  it("finds its state machine among many (ListStateMachines pages)", async () => {
    for (const name of ["aaa", "bbb", "ccc", "zzz"]) {
      h.sfn.machines.set(name, { name, arn: `arn:aws:states:us-east-1:${SERVICE_ACCOUNT}:stateMachine:${name}`, definition: "{}", roleArn: "r", type: "STANDARD" });
    }
    await deploy();
    const again = await deploy();
    expect(again.workflows[0]!.stateMachine).toBe("unchanged");
    expect(h.sfn.calls.filter((c) => c.operation === "ListStateMachines").length).toBeGreaterThan(2);
  });

  it("updates a state machine whose definition changed, and only that", async () => {
    await deploy();
    h.sfn.calls.length = 0;
    h.scheduler.calls.length = 0;
    const moved = { ...RESOURCES, lakeBucket: "freshet-local-lake-2" };
    const result = await deploy({ resources: moved });
    expect(result.workflows[0]!.stateMachine).toBe("updated");
    // Every definition that names the lake bucket changes; the others are left alone.
    const changed = WORKFLOWS.filter((w) => JSON.stringify(w.definition(moved)) !== JSON.stringify(w.definition(RESOURCES)));
    expect(result.workflows.filter((w) => w.stateMachine === "updated").map((w) => w.name)).toEqual(changed.map((w) => w.name));
    expect(mutations(h.sfn.calls)).toEqual(changed.map(() => "UpdateStateMachine"));
    expect(mutations(h.scheduler.calls)).toEqual([]);
    const machine = h.sfn.machines.get("freshet-local-LakeFreshness")!;
    expect(JSON.parse(machine.definition)).toEqual(LakeFreshness.definition(moved));
  });

  it("updates a state machine whose role changed", async () => {
    await deploy();
    const result = await deploy({ roleArn: "arn:aws:iam::000000000000:role/other" });
    expect(result.workflows[0]!.stateMachine).toBe("updated");
    expect(h.sfn.machines.get("freshet-local-LakeFreshness")!.roleArn).toBe("arn:aws:iam::000000000000:role/other");
  });
});

describe("scheduleOverride", () => {
  it("replaces every schedule's expression, and a later run without it restores the described one", async () => {
    const fast = await deploy({ workflows: [TRIGGERED], scheduleOverride: "rate(1 minute)" });
    expect(fast.workflows[0]!.schedules.map((s) => [s.name, s.expression, s.action])).toEqual([
      ["Nightly", "rate(1 minute)", "created"],
      ["Hourly", "rate(1 minute)", "created"],
    ]);
    expect(h.scheduler.schedules.get("freshet-local-Triggered-Nightly")?.ScheduleExpression).toBe("rate(1 minute)");
    const restored = await deploy({ workflows: [TRIGGERED] });
    expect(restored.workflows[0]!.schedules.map((s) => [s.expression, s.action])).toEqual([
      ["cron(0 3 * * ? *)", "updated"],
      ["rate(1 hour)", "updated"],
    ]);
    expect(h.scheduler.schedules.get("freshet-local-Triggered-Nightly")).toMatchObject({
      ScheduleExpression: "cron(0 3 * * ? *)",
      Target: { Input: '{"window":"night"}' },
    });
  });

  it("can choose per schedule", async () => {
    const result = await deploy({
      workflows: [TRIGGERED],
      scheduleOverride: (s) => (s.name === "Hourly" ? "rate(2 minutes)" : s.expression),
    });
    expect(result.workflows[0]!.schedules.map((s) => s.expression)).toEqual(["cron(0 3 * * ? *)", "rate(2 minutes)"]);
  });
});

describe("prune", () => {
  it("deletes this stage's schedules and rules that no description has any more, and nothing else", async () => {
    await deploy({ workflows: [...WORKFLOWS, TRIGGERED] });
    // Someone else's schedule and rule on the same endpoint.
    h.scheduler.schedules.set("other", { Name: "other", GroupName: "default", Target: { Arn: "arn:aws:lambda:us-east-1:1:function:x" } });
    h.events.rules.set("default/freshet-local-Foreign", {
      bus: "default",
      name: "freshet-local-Foreign",
      eventPattern: {},
      state: "ENABLED",
      targets: new Map([["x", { Id: "x", Arn: "arn:aws:sns:us-east-1:1:topic" }]]),
    });
    const withoutTriggers = { ...TRIGGERED, schedules: [TRIGGERED.schedules[1]!], rules: [] };
    const result = await deploy({ workflows: [...WORKFLOWS, withoutTriggers], prune: true });
    expect(result.pruned).toEqual({
      schedules: ["freshet-local-Triggered-Nightly"],
      rules: ["freshet-local-Triggered-DeadLettersLanded", "freshet-local-Triggered-LoadCompleted"],
    });
    expect([...h.scheduler.schedules.keys()].sort()).toEqual(
      // Every described workflow's schedules stay (whatever WORKFLOWS holds), the foreign one too.
      [...WORKFLOWS.flatMap((w) => w.schedules.map((sc) => `freshet-local-${w.name}-${sc.name}`)), "freshet-local-Triggered-Hourly", "other"].sort(),
    );
    // Every described workflow's rules stay (AnomalyScoring's on the Freshet bus), the foreign one too.
    expect([...h.events.rules.keys()].sort()).toEqual(
      [...WORKFLOWS.flatMap((w) => w.rules.map((rule) => `${rule.bus === "default" ? "default" : RESOURCES.busName}/freshet-local-${w.name}-${rule.name}`)), "default/freshet-local-Foreign"].sort(),
    );
  });

  it("is on by default and can be turned off", async () => {
    await deploy({ workflows: [TRIGGERED] });
    const kept = await deploy({ workflows: [{ ...TRIGGERED, schedules: [TRIGGERED.schedules[0]!] }], prune: false });
    expect(kept.pruned).toEqual({ schedules: [], rules: [] });
    expect(h.scheduler.schedules.size).toBe(2);
    const result = await deploy({ workflows: [{ ...TRIGGERED, schedules: [TRIGGERED.schedules[0]!] }] });
    expect(result.pruned.schedules).toEqual(["freshet-local-Triggered-Hourly"]);
    expect(h.scheduler.schedules.size).toBe(1);
  });

  it("keeps everything when asked not to", async () => {
    await deploy({ workflows: [TRIGGERED] });
    const result = await deploy({ workflows: [{ ...TRIGGERED, schedules: [], rules: [] }], prune: false });
    expect(result.pruned).toEqual({ schedules: [], rules: [] });
    expect(h.scheduler.schedules.size).toBe(2);
  });
});

describe("failures", () => {
  it("names the workflow, the schedule and AWS's error when a schedule is refused", async () => {
    // A description's own expression is checked before any call (below): a stage's override is not.
    const bad = { ...TRIGGERED, rules: [], schedules: [{ name: "Broken", expression: "rate(1 hour)" }] };
    const error = await deploy({ workflows: [bad], scheduleOverride: "rate(1 minutes)" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowDeployError);
    expect((error as WorkflowDeployError).workflow).toBe("Triggered");
    expect((error as Error).message).toMatch(/schedule freshet-local-Triggered-Broken \(rate\(1 minutes\)\).*ValidationException/);
  });

  it("refuses descriptions with clashing names before calling any API", async () => {
    await expect(deploy({ workflows: [TRIGGERED, TRIGGERED] })).rejects.toThrow(/used twice/);
    expect([...h.sfn.calls, ...h.scheduler.calls, ...h.events.calls]).toEqual([]);
  });

  it("refuses a description whose schedule expression or rule pattern AWS would refuse, before calling any API", async () => {
    const badSchedule = { ...TRIGGERED, schedules: [{ name: "Broken", expression: "rate(1 minutes)" }] };
    await expect(deploy({ workflows: [badSchedule] })).rejects.toThrow(/^Workflow Triggered: schedule Broken: Invalid schedule expression/);
    // Built from the resources: checked with the ones deployed to.
    const badPattern = { ...TRIGGERED, rules: [{ name: "Broken", bus: "default" as const, eventPattern: (r: typeof RESOURCES) => ({ bucket: r.lakeBucket }) }] };
    await expect(deploy({ workflows: [badPattern] })).rejects.toThrow(/^Workflow Triggered: rule Broken: Event pattern is not valid\. Reason: "bucket" must be/);
    expect([...h.sfn.calls, ...h.scheduler.calls, ...h.events.calls]).toEqual([]);
  });
});
