import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStateMachineCommand, DeleteStateMachineCommand, ListExecutionsCommand, SFNClient, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { TRIAGE_LEASE_KEY } from "@freshet/core";
import type { Client } from "@smithy/types";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../local/src/endpoint/server.ts";
import { lambdaContext } from "../../local/src/lambda/context.ts";
import { createS3Service } from "../../local/src/s3/index.ts";
import { createStepFunctionsService, type StepFunctionsService } from "../../local/src/sfn/service/service.ts";
import { DebounceCoverage } from "../src/triage/debounce-coverage.ts";

/**
 * TriageDebounce against the embedded S3 and Step Functions, on a virtual clock (only `Date` is
 * faked): which landings ask S3 about the lease, and which start an execution. The workflow is a
 * stand-in that only waits, as DeadLetterTriage's debounce does.
 */
const BUCKET = "triage-debounce-lake";
const DEBOUNCE_SECONDS = 60;
const START = new Date("2026-12-07T12:00:00.000Z").getTime();
let dataDir: string;
let endpoint: RunningEndpoint;
let states: StepFunctionsService;
let s3: S3Client;
let sfn: SFNClient;
let workflowArn: string;
let handler: (event: unknown, context: unknown) => Promise<{ started: boolean; executionArn?: string }>;
/** Commands the handler's own clients sent, in order. */
const sent: string[] = [];

const WORKFLOW = JSON.stringify({ QueryLanguage: "JSONata", StartAt: "Debounce", States: { Debounce: { Type: "Wait", Seconds: 3600, End: true } } });

async function createWorkflow(): Promise<string> {
  const out = await sfn.send(new CreateStateMachineCommand({ name: "triage", definition: WORKFLOW, roleArn: "arn:aws:iam::000000000000:role/triage" }));
  return out.stateMachineArn!;
}

function record(client: Client<any, any, any>): void {
  client.middlewareStack.add((next, context) => (args) => (sent.push(context.commandName ?? "?"), next(args)), { step: "initialize", name: "recordCommands" });
}

/** One "Object Created" event reaching the handler `atMs` after START; the commands it sent. */
async function land(atMs: number, key = `dlq/dt=2026-12-07/reason=schema_violation/${atMs}.ndjson.gz`) {
  vi.setSystemTime(START + atMs);
  sent.length = 0;
  const result = await handler({ id: `ev-${atMs}`, time: new Date().toISOString(), detail: { object: { key } } }, lambdaContext({ name: "triage-debounce", memoryMb: 256, timeoutMs: 30_000 }));
  return { started: result.started, sent: [...sent] };
}

const executions = async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: workflowArn }))).executions ?? [];

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(START);
  dataDir = await mkdtemp(join(tmpdir(), "freshet-triage-debounce-"));
  let url = "";
  states = createStepFunctionsService({ dataDir: join(dataDir, "states"), endpointUrl: () => url });
  endpoint = await startEndpoint({ services: [states, createS3Service({ dataDir: join(dataDir, "s3") })] });
  url = endpoint.url;
  const env = {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    FRESHET_TRIAGE_DEBOUNCE_SECONDS: String(DEBOUNCE_SECONDS),
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  s3 = new S3Client({ forcePathStyle: true });
  sfn = new SFNClient({});
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  workflowArn = await createWorkflow();
  vi.stubEnv("SST_RESOURCE_App", JSON.stringify({ name: "freshet", stage: "test" }));
  vi.stubEnv("SST_RESOURCE_Lake", JSON.stringify({ name: BUCKET }));
  vi.stubEnv("SST_RESOURCE_DeadLetterTriageWorkflow", JSON.stringify({ arn: workflowArn }));
  ({ handler } = (await import("../src/triage-debounce.ts")) as unknown as { handler: typeof handler });
  // The handler's clients, as its container keeps them.
  record((await import("../src/shared/s3-client.ts")).s3Client());
  record((await import("../src/shared/sfn-client.ts")).sfnClient());
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  s3?.destroy();
  sfn?.destroy();
  await endpoint?.close();
  await states?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("TriageDebounce", () => {
  it("starts one execution, then asks S3 nothing while that execution's listing is still to come", async () => {
    expect(await land(0)).toEqual({ started: true, sent: ["HeadObjectCommand", "PutObjectCommand", "StartExecutionCommand"] });
    for (const at of [1_000, 20_000, 58_900]) expect(await land(at)).toEqual({ started: false, sent: [] });
    expect(await executions()).toHaveLength(1);
  });

  it("asks again once the debounce (less the clock margin) has passed: the lease it finds then covers nothing new", async () => {
    expect(await land(59_000)).toEqual({ started: false, sent: ["HeadObjectCommand"] });
    expect(await land(59_500)).toEqual({ started: false, sent: ["HeadObjectCommand"] });
  });

  it("starts the next execution once the lease is gone", async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: TRIAGE_LEASE_KEY }));
    expect(await land(70_000)).toEqual({ started: true, sent: ["HeadObjectCommand", "PutObjectCommand", "StartExecutionCommand"] });
    expect(await executions()).toHaveLength(2);
  });

  it("asks about a lease someone else created every time: it cannot know that lease's execution started", async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: TRIAGE_LEASE_KEY }));
    vi.setSystemTime(START + 200_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: TRIAGE_LEASE_KEY, Body: "{}", IfNoneMatch: "*" }));
    for (const at of [210_000, 211_000, 250_000]) expect(await land(at)).toEqual({ started: false, sent: ["HeadObjectCommand"] });
    expect(await executions()).toHaveLength(2);
  });

  it("knows nothing when its execution did not start, so the next landing asks and starts one", async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: TRIAGE_LEASE_KEY }));
    // A deleted workflow (its executions stopped first, or it would linger as DELETING) refuses StartExecution.
    for (const { executionArn } of await executions()) await sfn.send(new StopExecutionCommand({ executionArn }));
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: workflowArn }));
    await expect(land(300_000)).rejects.toThrow();
    expect(sent).toEqual(["HeadObjectCommand", "PutObjectCommand", "StartExecutionCommand", "DeleteObjectCommand"]);
    expect(await createWorkflow()).toBe(workflowArn);
    expect(await land(301_000)).toEqual({ started: true, sent: ["HeadObjectCommand", "PutObjectCommand", "StartExecutionCommand"] });
    expect(await land(302_000)).toEqual({ started: false, sent: [] });
  });
});

describe("DebounceCoverage", () => {
  it("covers from the lease's taking until the debounce, less the margin, has passed", () => {
    const coverage = new DebounceCoverage(60, 2_000);
    expect(coverage.covers(START)).toBe(false);
    coverage.started(START);
    expect(coverage.covers(START + 57_999)).toBe(true);
    expect(coverage.covers(START + 58_000)).toBe(false);
  });

  it("never shrinks for an older start", () => {
    const coverage = new DebounceCoverage(60, 2_000);
    coverage.started(START);
    coverage.started(START - 50_000);
    expect(coverage.covers(START + 57_000)).toBe(true);
  });

  it("covers no longer than the workflow waits, and nothing with no debounce", () => {
    const long = new DebounceCoverage(100_000, 1_000);
    long.started(START);
    expect([long.covers(START + 898_999), long.covers(START + 899_000)]).toEqual([true, false]);
    const none = new DebounceCoverage(0);
    none.started(START);
    expect(none.covers(START)).toBe(false);
  });
});
