/**
 * deployWorkflows against the embedded endpoint's own Step Functions, Scheduler and EventBridge
 * services (persisting in a data directory), as `npm start` runs it: what it leaves there, that a
 * restart on the same directory changes nothing, pruning, and a schedule that really starts
 * LakeFreshness, which then reads the local lake. One virtual clock drives schedules and executions.
 */
import { CreateEventBusCommand, DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { partitionOf, partitionPath } from "@freshet/core";
import { LakeFreshness, type WorkflowDescription } from "@freshet/workflows";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deployWorkflows, localWorkflowResources, type DeployWorkflowsOptions } from "../../src/deploy/index.ts";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createEventBridgeService, TestClock } from "../../src/eventbridge/index.ts";
import { createS3Service } from "../../src/s3/index.ts";
import { createSchedulerService } from "../../src/scheduler/index.ts";
import { createStepFunctionsService, type StepFunctionsService } from "../../src/sfn/service/index.ts";
import { createSnsService } from "../../src/sns/index.ts";

const ACCOUNT = "000000000000";
const RESOURCES = localWorkflowResources({ accountId: ACCOUNT });
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:freshet-local-`;

/** Started by a schedule and by rules on both buses. */
const TRIGGERED: WorkflowDescription = {
  name: "Triggered",
  summary: "test workflow",
  definition: () => ({ QueryLanguage: "JSONata", StartAt: "Done", States: { Done: { Type: "Succeed", Output: "{% $states.input %}" } } }),
  schedules: [{ name: "Nightly", expression: "cron(0 3 * * ? *)", input: { window: "night" } }],
  rules: [
    { name: "DeadLettersLanded", bus: "default", eventPattern: (r) => ({ source: ["aws.s3"], detail: { bucket: { name: [r.lakeBucket] } } }) },
    { name: "LoadCompleted", bus: "freshet", eventPattern: { source: ["freshet"] }, input: { reason: "load" } },
  ],
  permissions: () => [],
};

interface Platform {
  readonly clock: TestClock;
  readonly endpoint: RunningEndpoint;
  readonly sfnService: StepFunctionsService;
  readonly clients: { sfn: SFNClient; scheduler: SchedulerClient; events: EventBridgeClient; s3: S3Client };
  stop(): Promise<void>;
}

const dirs: string[] = [];
const running: Platform[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startPlatform(dataDir: string, clock = new TestClock(Date.now())): Promise<Platform> {
  let url = "";
  const endpointUrl = () => url;
  const sfnService = createStepFunctionsService({ dataDir, clock, endpointUrl });
  // As the platform runs it: a local run may schedule a workflow every few seconds.
  const scheduler = createSchedulerService({ dataDir, clock, endpointUrl, log: () => {}, allowSecondRates: true });
  const events = createEventBridgeService({ dataDir, clock, endpointUrl, log: () => {} });
  const endpoint = await startEndpoint({
    services: [sfnService, scheduler, events, createSnsService({ dataDir, topics: [{ name: "freshet-local-OpsAlerts" }], log: () => {} }), createS3Service({ dataDir })],
  });
  url = endpoint.url;
  clock.waitFor(() => scheduler.idle());
  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 };
  const clients = { sfn: new SFNClient(config), scheduler: new SchedulerClient(config), events: new EventBridgeClient(config), s3: new S3Client(config) };
  const platform: Platform = {
    clock,
    endpoint,
    sfnService,
    clients,
    async stop() {
      for (const c of Object.values(clients)) c.destroy();
      await endpoint.close();
    },
  };
  running.push(platform);
  return platform;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "freshet-deploy-"));
  dirs.push(dir);
  return dir;
}

const deploy = (p: Platform, options: Partial<DeployWorkflowsOptions> = {}) =>
  deployWorkflows({ sfn: p.clients.sfn, scheduler: p.clients.scheduler, events: p.clients.events, resources: RESOURCES, ...options });

describe("on the local services", () => {
  it("deploys state machines, schedules and rules, and a restart on the same data changes nothing", async () => {
    const dir = dataDir();
    const first = await startPlatform(dir);
    // `sst deploy` creates the Freshet bus in stacks/alerts.ts; locally the platform does.
    await first.clients.events.send(new CreateEventBusCommand({ Name: RESOURCES.busName }));
    const created = await deploy(first, { workflows: [LakeFreshness, TRIGGERED] });
    expect(created.workflows.map((w) => [w.stateMachineArn, w.stateMachine])).toEqual([
      [`${MACHINE}LakeFreshness`, "created"],
      [`${MACHINE}Triggered`, "created"],
    ]);
    const schedule = await first.clients.scheduler.send(new GetScheduleCommand({ Name: "freshet-local-LakeFreshness-Every5Minutes" }));
    expect(schedule).toMatchObject({
      ScheduleExpression: "rate(5 minutes)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: { Arn: `${MACHINE}LakeFreshness`, Input: "{}" },
    });
    const rule = await first.clients.events.send(new DescribeRuleCommand({ Name: "freshet-local-Triggered-DeadLettersLanded" }));
    expect(JSON.parse(rule.EventPattern!)).toEqual({ source: ["aws.s3"], detail: { bucket: { name: ["freshet-local-lake"] } } });
    const targets = await first.clients.events.send(
      new ListTargetsByRuleCommand({ Rule: "freshet-local-Triggered-LoadCompleted", EventBusName: RESOURCES.busName }),
    );
    expect(targets.Targets).toEqual([expect.objectContaining({ Id: "Triggered", Arn: `${MACHINE}Triggered`, Input: '{"reason":"load"}' })]);
    await first.stop();

    const second = await startPlatform(dir);
    const again = await deploy(second, { workflows: [LakeFreshness, TRIGGERED] });
    expect(again.workflows.map((w) => w.stateMachine)).toEqual(["unchanged", "unchanged"]);
    expect(again.workflows.flatMap((w) => w.schedules.map((s) => s.action))).toEqual(["unchanged", "unchanged"]);

    const pruned = await deploy(second, { workflows: [LakeFreshness, { ...TRIGGERED, schedules: [], rules: [] }], prune: true });
    expect(pruned.pruned).toEqual({
      schedules: ["freshet-local-Triggered-Nightly"],
      rules: ["freshet-local-Triggered-DeadLettersLanded", "freshet-local-Triggered-LoadCompleted"],
    });
    await expect(second.clients.scheduler.send(new GetScheduleCommand({ Name: "freshet-local-Triggered-Nightly" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(second.clients.events.send(new DescribeRuleCommand({ Name: "freshet-local-Triggered-DeadLettersLanded" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    expect((await second.clients.scheduler.send(new GetScheduleCommand({ Name: "freshet-local-LakeFreshness-Every5Minutes" }))).Name).toBeDefined();
  });

  it("takes a local-only override the descriptions could not have (rate in seconds)", async () => {
    const p = await startPlatform(dataDir());
    const deployed = await deploy(p, { workflows: [{ ...TRIGGERED, rules: [] }], scheduleOverride: "rate(5 seconds)" });
    expect(deployed.workflows[0]!.schedules[0]).toMatchObject({ expression: "rate(5 seconds)", action: "created" });
    const schedule = await p.clients.scheduler.send(new GetScheduleCommand({ Name: "freshet-local-Triggered-Nightly" }));
    expect(schedule.ScheduleExpression).toBe("rate(5 seconds)");
  });

  it("runs LakeFreshness from its schedule against the local lake", async () => {
    const p = await startPlatform(dataDir());
    await p.clients.s3.send(new CreateBucketCommand({ Bucket: RESOURCES.lakeBucket }));
    // The hour the clock starts in: every firing within the next minute looks at it (as this hour or the previous).
    // Written before deploying: the local Scheduler also fires a rate schedule when it is created,
    // and that run must already find the receipt.
    const key = `receipts/${partitionPath(partitionOf(new Date(p.clock.now())))}/shardId-000000000000-1-2.json`;
    await p.clients.s3.send(new PutObjectCommand({ Bucket: RESOURCES.lakeBucket, Key: key, Body: "{}" }));
    const deployed = await deploy(p, { workflows: [LakeFreshness], scheduleOverride: "rate(1 minute)" });
    expect(deployed.workflows[0]!.schedules[0]).toMatchObject({ expression: "rate(1 minute)", action: "created" });

    await p.clock.advance(61_000);
    const { executions } = await p.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: deployed.workflows[0]!.stateMachineArn }));
    // At least the firing one minute in (the local Scheduler also fires a rate schedule when it is created).
    expect(executions!.length).toBeGreaterThanOrEqual(1);
    // An execution the firing started may reach a timer (a Retry backoff) after the advance, when
    // the machine is busy: keep the virtual clock moving until every execution has ended.
    let ended = false;
    const ticking = (async () => {
      while (!ended) {
        await new Promise((r) => setTimeout(r, 50));
        if (!ended) await p.clock.advance(1000);
      }
    })();
    try {
      for (const execution of executions!) {
        const outcome = await p.sfnService.waitForExecution(execution.executionArn!);
        expect(outcome.status).toBe("SUCCEEDED");
        expect(outcome.output).toMatchObject({ fresh: true, receiptsListed: 1 });
      }
    } finally {
      ended = true;
      await ticking;
    }
  });
});
