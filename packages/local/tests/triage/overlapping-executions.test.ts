import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { TRIAGE_PREFIXES, triageDoneKey, triageRedriveKey } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_TTL_MS } from "../../../functions/src/triage/claims.ts";
import { triageFaults } from "../../../functions/src/triage/faults.ts";
import { LOCAL_RESOURCES, sendEvents, startPlatform, type Platform } from "../../src/index.ts";

/**
 * Overlapping DeadLetterTriage executions on the embedded platform: one execution is held inside
 * its triage step (a hook in the triage function) while another starts; the second must leave the
 * held object to the first. An execution that dies holding an object leaves it to the executions
 * after its claim lapsed (the function's clock moved past it).
 */
const BUCKET = LOCAL_RESOURCES.bucketName;
let dataDir: string;
let platform: Platform;
let sfn: SFNClient;
let s3: S3Client;
let triageArn: string;
/** Every triage call the function started: [dead-letter key, execution name]. */
const calls: [string, string][] = [];

const repairable = (id: string) =>
  JSON.stringify({ schema_version: 2, event_id: id, event_type: "purchase", occurred_at: new Date(Date.now() - 600_000).toISOString(), user_id: "u-1", account_id: "a-1", revenue: "4.20", currency: "USD" });

async function keys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

const readJson = async (key: string) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString());

async function start(name: string): Promise<string> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: triageArn, name, input: JSON.stringify({ debounceSeconds: 0 }) }));
  return executionArn!;
}

async function finish(executionArn: string) {
  return (await platform.services.stepFunctions.waitForExecution(executionArn)) as unknown as { status: string; output: any };
}

/** Sends one event the transformer dead-letters (a rule repairs it) and returns its new dead-letter object. */
async function newDeadLetter(id: string): Promise<string> {
  const before = new Set(await keys(TRIAGE_PREFIXES.deadLetters));
  await sendEvents(platform.ingestUrl, platform.apiKey, [repairable(id)]);
  await platform.waitForIdle();
  const added = (await keys(TRIAGE_PREFIXES.deadLetters)).filter((k) => !before.has(k));
  expect(added).toHaveLength(1);
  return added[0]!;
}

/** A gate a triage call of `executionName` waits at, and whether it was reached. */
function hold(executionName: string) {
  let open!: () => void;
  let crash!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    open = resolve;
    crash = reject;
  });
  gate.catch(() => undefined);
  triageFaults.beforeTriage = async (key, name) => {
    calls.push([key, name]);
    if (name === executionName) await gate;
  };
  return { open, crash, reached: () => calls.some(([, name]) => name === executionName) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-triage-overlap-"));
  // The execution a landing dead letter starts waits out a long debounce: the test's own executions triage.
  platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, transformerEnvironments: 0, triageDebounceSeconds: 600 });
  const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  sfn = new SFNClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  triageArn = platform.workflows.workflows.find((w) => w.name === "DeadLetterTriage")!.stateMachineArn;
}, 120_000);

afterEach(() => {
  triageFaults.beforeTriage = undefined;
  triageFaults.clock = undefined;
});

afterAll(async () => {
  triageFaults.beforeTriage = undefined;
  triageFaults.clock = undefined;
  if (sfn && triageArn) {
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: triageArn, statusFilter: "RUNNING" }));
    for (const e of running.executions ?? []) await sfn.send(new StopExecutionCommand({ executionArn: e.executionArn }));
  }
  sfn?.destroy();
  s3?.destroy();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("overlapping DeadLetterTriage executions", () => {
  it("leave an object a live execution is triaging to that execution: one triage, one done marker, one redrive", async () => {
    const key = await newDeadLetter("ov-held");
    const held = hold("held-1");
    const first = await start("held-1");
    await expect.poll(held.reached, { timeout: 20_000 }).toBe(true);

    // While held-1 is inside TriageObjects with the object, a second execution starts and ends.
    const second = await finish(await start("second-1"));
    expect(second).toMatchObject({ status: "SUCCEEDED", output: { objects: 0 } });
    expect(calls.filter(([k]) => k === key)).toEqual([[key, "held-1"]]);

    held.open();
    const outcome = await finish(first);
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { objects: 1, repaired: 1, redriven: 1 } });
    expect(calls.filter(([k]) => k === key)).toEqual([[key, "held-1"]]);
    expect(await readJson(triageDoneKey(key))).toMatchObject({ executionName: "held-1", redriven: 1 });
    expect(await readJson(triageRedriveKey(key))).toMatchObject({ executionName: "held-1", state: "redriven" });
    // The claim went with the done marker.
    expect(await keys(TRIAGE_PREFIXES.claims)).toEqual([]);
  });

  it("picks up the objects of an execution that died once its claims lapse, and not before", async () => {
    const key = await newDeadLetter("ov-crash");
    const held = hold("crashed-1");
    const crashed = await start("crashed-1");
    await expect.poll(held.reached, { timeout: 20_000 }).toBe(true);
    await sfn.send(new StopExecutionCommand({ executionArn: crashed, error: "Crash", cause: "the test stopped it mid-triage" }));

    // Its claim is live: a new execution leaves the object alone.
    expect(await finish(await start("too-soon"))).toMatchObject({ status: "SUCCEEDED", output: { objects: 0 } });
    expect(calls.filter(([k]) => k === key).map(([, name]) => name)).toEqual(["crashed-1"]);

    // Past the claim's lapse (execution timeout + function timeout), the next execution triages it.
    const at = Date.now() + CLAIM_TTL_MS + 60_000;
    triageFaults.clock = () => new Date(at);
    const rescued = await finish(await start("rescuer"));
    expect(rescued).toMatchObject({ status: "SUCCEEDED", output: { objects: 1, repaired: 1, redriven: 1 } });
    expect(calls.filter(([k]) => k === key).map(([, name]) => name)).toEqual(["crashed-1", "rescuer"]);
    expect(await readJson(triageDoneKey(key))).toMatchObject({ executionName: "rescuer" });
    // The dead execution's triage call never gets past its gate.
    held.crash(new Error("the crashed execution's invocation dies"));
    expect(await keys(TRIAGE_PREFIXES.claims)).toEqual([]);
  });
});
