/**
 * LakeFreshness end to end on the embedded endpoint: deployed by deployWorkflows, run by the local
 * Step Functions service and interpreter, listing the real local S3 store, alerting through the
 * real local SNS. Receipts are written now; the execution's start (a virtual clock) is placed
 * after them, which is how "the lake has been quiet for N minutes" is staged.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LAKE_FRESHNESS_STATE_KEY, partitionOf, partitionPath } from "@freshet/core";
import { LakeFreshness, type LakeFreshnessState } from "@freshet/workflows";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deployWorkflows, localWorkflowResources } from "../../src/deploy/index.ts";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createS3Service } from "../../src/s3/index.ts";
import { VirtualClock } from "../../src/sfn/interpreter/clock.ts";
import { createStepFunctionsService, type StepFunctionsService } from "../../src/sfn/service/index.ts";
import { createSnsService, readAlerts, type Alert } from "../../src/sns/index.ts";
import { createEventsStub } from "./stubs/events-stub.ts";
import { createSchedulerStub } from "./stubs/scheduler-stub.ts";

const ACCOUNT = "000000000000";
const RESOURCES = localWorkflowResources({ accountId: ACCOUNT });
const MINUTE = 60_000;

interface Stage {
  readonly clock: VirtualClock;
  readonly endpoint: RunningEndpoint;
  readonly sfnService: StepFunctionsService;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  readonly dataDir: string;
}

let stage: Stage | undefined;
afterEach(async () => {
  if (!stage) return;
  stage.s3.destroy();
  stage.sfn.destroy();
  await stage.endpoint.close();
  await rm(stage.dataDir, { recursive: true, force: true });
  stage = undefined;
});

/** The endpoint with S3, SNS and Step Functions, LakeFreshness deployed; the clock starts at `start`. */
async function startStage(start: number, options: { bucket?: boolean } = {}): Promise<Stage> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-freshness-"));
  const clock = new VirtualClock(start);
  let url: string | undefined;
  const sfnService = createStepFunctionsService({ dataDir, clock, endpointUrl: () => url });
  const endpoint = await startEndpoint({
    services: [
      sfnService,
      createSnsService({ dataDir, topics: [{ name: "freshet-local-OpsAlerts" }], log: () => {} }),
      createSchedulerStub({ accountId: ACCOUNT }),
      createEventsStub({ accountId: ACCOUNT, buses: ["default", RESOURCES.busName] }),
      createS3Service({ dataDir }),
    ],
  });
  url = endpoint.url;
  const config = { endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const s3 = new S3Client(config);
  const sfn = new SFNClient(config);
  if (options.bucket !== false) await s3.send(new CreateBucketCommand({ Bucket: RESOURCES.lakeBucket }));
  const clients = { sfn, scheduler: new SchedulerClient(config), events: new EventBridgeClient(config) };
  const deployed = await deployWorkflows({ ...clients, resources: RESOURCES, workflows: [LakeFreshness] });
  clients.scheduler.destroy();
  clients.events.destroy();
  stage = { clock, endpoint, sfnService, s3, sfn, stateMachineArn: deployed.workflows[0]!.stateMachineArn, dataDir };
  return stage;
}

/** Receipts as the transformer writes them, under the partition of `hourOf`. */
async function writeReceipts(s: Stage, hourOf: number, count: number): Promise<void> {
  const prefix = `receipts/${partitionPath(partitionOf(new Date(hourOf)))}/`;
  for (let i = 0; i < count; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, (_, j) =>
        s.s3.send(new PutObjectCommand({ Bucket: RESOURCES.lakeBucket, Key: `${prefix}shardId-000000000000-${String(i + j).padStart(6, "0")}.json`, Body: "{}" })),
      ),
    );
  }
}

/** A check that has been running every 5 minutes since `since` (its state object, as it writes it). */
async function watchedSince(s: Stage, since: number, lastReceiptAt: string | null = null): Promise<void> {
  const state: LakeFreshnessState = {
    checkedAt: new Date(s.clock.now() - 5 * MINUTE).toISOString(),
    watchingSince: new Date(since).toISOString(),
    lastReceiptAt,
    status: "fresh",
    outage: null,
  };
  await s.s3.send(new PutObjectCommand({ Bucket: RESOURCES.lakeBucket, Key: LAKE_FRESHNESS_STATE_KEY, Body: JSON.stringify(state) }));
}

async function savedState(s: Stage): Promise<LakeFreshnessState> {
  const object = await s.s3.send(new GetObjectCommand({ Bucket: RESOURCES.lakeBucket, Key: LAKE_FRESHNESS_STATE_KEY }));
  return JSON.parse(await object.Body!.transformToString()) as LakeFreshnessState;
}

async function run(s: Stage, input: object = {}) {
  const { executionArn } = await s.sfn.send(new StartExecutionCommand({ stateMachineArn: s.stateMachineArn, input: JSON.stringify(input) }));
  const outcome = await s.sfnService.waitForExecution(executionArn!);
  const history = await s.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  const listings = (history.events ?? []).filter((e) => e.type === "TaskScheduled" && e.taskScheduledEventDetails?.resource === "listObjectsV2");
  const alerts: Alert[] = (await readAlerts(join(s.dataDir, "sns"), { topics: ["freshet-local-OpsAlerts"] })).alerts;
  return { outcome, output: outcome.output as Record<string, unknown> | undefined, listings, history: history.events ?? [], alerts };
}

describe("LakeFreshness", () => {
  it("succeeds quietly when the newest receipt is within the threshold", async () => {
    const now = Date.now();
    const s = await startStage(now + 2 * MINUTE);
    await writeReceipts(s, now + 2 * MINUTE, 3);
    const { outcome, output, alerts } = await run(s);
    expect(outcome.status).toBe("SUCCEEDED");
    expect(output).toMatchObject({ fresh: true, thresholdMinutes: 15, receiptsListed: 3 });
    expect(output!.ageMinutes).toBeGreaterThanOrEqual(1.5);
    expect(output!.ageMinutes).toBeLessThan(3);
    expect(alerts).toEqual([]);
  });

  it("alerts OpsAlerts with the receipt's age when the lake has been quiet past the threshold", async () => {
    const now = Date.now();
    const s = await startStage(now + 40 * MINUTE);
    await writeReceipts(s, now + 40 * MINUTE, 2);
    await watchedSince(s, now - 60 * MINUTE);
    const { outcome, output, alerts } = await run(s);
    expect(outcome.status).toBe("SUCCEEDED");
    expect(output).toMatchObject({ status: "stale", fresh: false, alerted: true, thresholdMinutes: 15, receiptsListed: 2 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toBe("Freshet: nothing written to the lake for 15+ minutes");
    expect(alerts[0]!.message).toMatch(/was written at \S+Z, (39\.\d|40(\.\d)?) minutes before this check \(threshold: 15 minutes\)/);
    expect(alerts[0]!.message).toContain("Check the Transformer function errors");
    expect(output!.alertMessageId).toBe(alerts[0]!.messageId);
  });

  it("takes the threshold from the input", async () => {
    const now = Date.now();
    const s = await startStage(now + 40 * MINUTE);
    await writeReceipts(s, now + 40 * MINUTE, 1);
    const { output, alerts } = await run(s, { thresholdMinutes: 60 });
    expect(output).toMatchObject({ fresh: true, thresholdMinutes: 60 });
    expect(alerts).toEqual([]);
  });

  it("says so when there is no receipt in this hour or the previous one, though earlier hours have some", async () => {
    const start = Date.now() + MINUTE;
    const s = await startStage(start);
    await writeReceipts(s, start - 3 * 3_600_000, 1); // three hours back: not listed, only probed
    await watchedSince(s, start - 4 * 3_600_000);
    const { output, alerts } = await run(s);
    expect(output).toMatchObject({ status: "stale", fresh: false, newestReceiptAt: null, receiptsListed: 0 });
    const [current, previous] = [start, start - 3_600_000].map((t) => `s3://freshet-local-lake/receipts/${partitionPath(partitionOf(new Date(t)))}/`);
    expect(alerts.map((a) => a.message)).toEqual([
      expect.stringContaining(`No batch receipt under ${current} or ${previous}: nothing was written to the lake this hour or the previous one, though earlier hours have receipts.`),
    ]);
  });

  it("reads every page of both hours, so the newest receipt is found however many there are", async () => {
    const start = Date.now() + MINUTE;
    const s = await startStage(start);
    await writeReceipts(s, start, 260);
    await writeReceipts(s, start - 3_600_000, 255);
    const { output, listings } = await run(s);
    expect(output).toMatchObject({ fresh: true, receiptsListed: 515 });
    expect(listings).toHaveLength(4); // 250 + 10, then 250 + 5
  }, 30_000);

  it("reports a check that cannot list the lake, after retrying, and fails", async () => {
    const s = await startStage(Date.now(), { bucket: false });
    const { outcome, alerts, history } = await run(s);
    expect(outcome.status).toBe("FAILED");
    expect(outcome.error).toBe("Freshet.FreshnessCheckFailed");
    expect(outcome.cause).toMatch(/^S3\.NoSuchBucket/);
    expect(history.filter((e) => e.type === "TaskFailed")).toHaveLength(4); // first attempt + 3 retries
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toBe("Freshet: lake freshness check failed");
    expect(history.filter((e) => e.type === "TaskScheduled").map((e) => e.taskScheduledEventDetails?.resource)).not.toContain("putObject");
    expect(alerts[0]!.message).toMatch(/could not list s3:\/\/freshet-local-lake\/receipts\/ \(S3\.NoSuchBucket/);
  });

  describe("no false alarms", () => {
    it("does not alert a stage that has not received its first event, and says it is waiting for it", async () => {
      const s = await startStage(Date.now() + 2 * 3_600_000);
      await watchedSince(s, Date.now() - 24 * 3_600_000); // watching for a day: still no receipt at all
      const { outcome, output, alerts } = await run(s);
      expect(outcome.status).toBe("SUCCEEDED");
      expect(output).toMatchObject({ status: "awaiting-first-event", fresh: false, alerted: false, newestReceiptAt: null });
      expect(alerts).toEqual([]);
      expect(await savedState(s)).toMatchObject({ status: "awaiting-first-event", lastReceiptAt: null, outage: null });
    });

    it("gives a check that just started (first run, or after not running) one threshold before it alerts", async () => {
      const now = Date.now();
      const s = await startStage(now + 40 * MINUTE); // receipts 40 minutes old, as after a restart of a stopped stage
      await writeReceipts(s, now, 2);
      const first = await run(s);
      expect(first.output).toMatchObject({ status: "watching", alerted: false, watchingSince: first.output!.checkedAt });
      s.clock.advance(10 * MINUTE);
      expect((await run(s)).output).toMatchObject({ status: "watching", watchingSince: first.output!.checkedAt });
      s.clock.advance(6 * MINUTE); // 16 minutes of watching, nothing written
      const third = await run(s);
      expect(third.output).toMatchObject({ status: "stale", alerted: true });
      expect(third.alerts).toHaveLength(1);

      // The check then stops running for longer than the threshold: its watch restarts.
      s.clock.advance(30 * MINUTE);
      const restarted = await run(s);
      expect(restarted.output).toMatchObject({ status: "watching", alerted: false });
      expect(restarted.output!.watchingSince).toBe(restarted.output!.checkedAt);
      expect(restarted.alerts).toHaveLength(1);
    });

    it("alerts once per outage, remembers it, and sends one recovery notice when the lake is written again", async () => {
      // The clock runs a little behind real time, so a receipt written later in the test is new to it.
      const now = Date.now();
      const s = await startStage(now - 10 * MINUTE);
      await watchedSince(s, now - 3 * 3_600_000, new Date(now - 40 * MINUTE).toISOString()); // last receipt 30 min before the clock
      const outage = await run(s);
      expect(outage.output).toMatchObject({ status: "stale", alerted: true, receiptsListed: 0 });
      for (let n = 0; n < 3; n++) {
        s.clock.advance(MINUTE);
        expect((await run(s)).output).toMatchObject({ status: "stale", alerted: false });
      }
      expect((await savedState(s)).outage).toMatchObject({ alertedAt: outage.output!.checkedAt });
      expect((await run(s)).alerts.map((a) => a.subject)).toEqual(["Freshet: nothing written to the lake for 15+ minutes"]);

      await writeReceipts(s, s.clock.now(), 1);
      s.clock.advance(MINUTE);
      const recovered = await run(s);
      expect(recovered.output).toMatchObject({ status: "fresh", alerted: false, recoveryMessageId: expect.any(String) });
      expect(recovered.alerts.map((a) => a.subject)).toEqual([
        "Freshet: nothing written to the lake for 15+ minutes",
        "Freshet: the lake is being written again",
      ]);
      expect((await savedState(s)).outage).toBeNull();
      s.clock.advance(MINUTE);
      expect((await run(s)).alerts).toHaveLength(2);
    });
  });
});
