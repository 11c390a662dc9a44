import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { TRIAGE_LEASE_KEY, TRIAGE_PREFIXES } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POLL_MS, run as dlq } from "../../src/cli/commands/dlq.ts";
import { triageFaults } from "../../../functions/src/triage/faults.ts";
import { query, type Cell } from "../../../functions/src/load/data-api.ts";
import { LOCAL_RESOURCES, sendEvents, startPlatform, type Platform } from "../../src/index.ts";

/**
 * DeadLetterTriage through its real definition on the embedded endpoint: producer events that
 * the transformer dead-letters (one per repair rule, unfixable ones, malformed JSON), a producer
 * retry of a repaired event, and a corrupt dead-letter object. The lake's "Object Created"
 * events reach TriageDebounce through the local EventBridge; its execution waits out a long
 * debounce, so the test's own executions (debounce 0, as the sweep) are the ones that triage.
 */
const BUCKET = LOCAL_RESOURCES.bucketName;
const now = new Date();
const iso = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
const event = (id: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ schema_version: 2, event_id: id, event_type: "purchase", occurred_at: iso(10), user_id: "u-1", account_id: "a-1", ...fields });

const REPAIRABLE = {
  "tri-revenue": { revenue: "12.50", currency: "USD" }, // revenue-decimal-string
  "tri-epoch": { occurred_at: (now.getTime() - 600_000) * 1000 }, // epoch-sub-millisecond (microseconds)
  "tri-extra": { plan: "pro" }, // unknown-top-level-fields
};
const UNFIXABLE = {
  "tri-no-user": { user_id: "" }, // schema_violation, no rule
  "tri-no-currency": { revenue: "12.50" }, // repaired, but still a rule violation
};
const CORRUPT_KEY = `dlq/dt=${now.toISOString().slice(0, 10)}/reason=schema_violation/corrupt-object.ndjson.gz`;

let dataDir: string;
let platform: Platform;
let sfn: SFNClient;
let s3: S3Client;
let redshift: RedshiftDataClient;
let triageArn: string;
let loadArn: string;
let landed = 0;
const outcomes: Record<string, { status: string; output: any }> = {};

const rows = (sql: string): Promise<Cell[][]> => query(redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });

async function run(arn: string, input: object) {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }));
  return (await platform.services.stepFunctions.waitForExecution(executionArn!)) as unknown as { status: string; output: any; cause?: string };
}

/** Loads until a run finds nothing left. */
async function loadAll(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const outcome = await run(loadArn, { pollSeconds: 1 });
    expect(outcome.status).toBe("SUCCEEDED");
    if (outcome.output?.loaded === false) return;
  }
  throw new Error("Load never ran out of work");
}

async function keys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function ndjson(key: string): Promise<any[]> {
  const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
  return gunzipSync(body).toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
}

/** Runs `freshet dlq …` against the platform, as a shell pointing at `npm start` would. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.stubEnv("AWS_ENDPOINT_URL", platform.endpointUrl);
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  POLL_MS.value = 10;
  try {
    return { code: await dlq(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    vi.unstubAllEnvs();
  }
}

const unbalanced = () => rows("SELECT window_start, status FROM audit_balance WHERE status <> 'balanced'");
const eventCount = async (id: string) => Number((await rows(`SELECT COUNT(*) FROM events WHERE event_id = '${id}'`))[0]![0]);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-triage-"));
  platform = await startPlatform({
    dataDir,
    batchingWindowSeconds: 0,
    transformerEnvironments: 0,
    triageDebounceSeconds: 600,
    // Four quarantined letters are an incident here (core's default waits for 100).
    triageAlerts: { alertThreshold: 1 },
    onDelivery: (entry) => {
      if (entry.outcome === "delivered" && entry.source.includes("DeadLettersLanded")) landed++;
    },
  });
  const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  sfn = new SFNClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  redshift = new RedshiftDataClient(config);
  triageArn = platform.workflows.workflows.find((w) => w.name === "DeadLetterTriage")!.stateMachineArn;
  loadArn = platform.workflows.workflows.find((w) => w.name === "Load")!.stateMachineArn;

  // The hourly sweep's schedule fires as the platform creates it: let that run find the lake empty
  // before any dead letter lands, so every later execution is the landing's or the test's own.
  await vi.waitFor(async () => {
    const sweeps = await sfn.send(new ListExecutionsCommand({ stateMachineArn: triageArn }));
    expect(sweeps.executions?.map((e) => e.status)).toEqual(["SUCCEEDED"]);
  }, { timeout: 30_000, interval: 50 });
  const lines = [
    event("tri-valid"),
    ...Object.entries(REPAIRABLE).map(([id, f]) => event(id, f)),
    ...Object.entries(UNFIXABLE).map(([id, f]) => event(id, f)),
    '{"event_type":"purchase",',
  ];
  await sendEvents(platform.ingestUrl, platform.apiKey, lines);
  await platform.waitForIdle();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: CORRUPT_KEY, Body: Buffer.from("this is not gzip") }));
  await loadAll();
}, 120_000);

afterAll(async () => {
  triageFaults.afterRedrive = undefined;
  if (sfn && triageArn) {
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: triageArn, statusFilter: "RUNNING" }));
    for (const e of running.executions ?? []) await sfn.send(new StopExecutionCommand({ executionArn: e.executionArn }));
  }
  sfn?.destroy();
  s3?.destroy();
  redshift?.destroy();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("DeadLetterTriage", () => {
  it("debounces: dead letters landing while the lease is held start one execution", async () => {
    const deadLetters = await keys(TRIAGE_PREFIXES.deadLetters);
    expect(deadLetters.length).toBeGreaterThanOrEqual(3); // schema, rule, malformed … and the corrupt one
    await expect.poll(() => landed, { timeout: 10_000 }).toBe(deadLetters.length);
    const listed = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: triageArn }))).executions ?? [];
    const executions = await Promise.all(listed.map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))));
    // The hourly sweep's schedule fired when the platform created it, before any dead letter.
    const sweeps = executions.filter((e) => JSON.parse(e.input ?? "{}").sweep === true);
    expect(sweeps.map((e) => [e.status, JSON.parse(e.output ?? "{}").objects])).toEqual([["SUCCEEDED", 0]]);
    expect(executions.filter((e) => !sweeps.includes(e)).map((e) => e.status)).toEqual(["RUNNING"]);
    expect(await keys(TRIAGE_LEASE_KEY)).toEqual([TRIAGE_LEASE_KEY]);
  });

  it("starts balanced, with the bad events dead-lettered and not loaded", async () => {
    expect(await unbalanced()).toEqual([]);
    expect(await eventCount("tri-valid")).toBe(1);
    for (const id of Object.keys(REPAIRABLE)) expect(await eventCount(id)).toBe(0);
  });

  it("repairs and redrives what a rule fixes, quarantines the rest with reasons", async () => {
    // The producer also retries one repaired event, correctly this time.
    await sendEvents(platform.ingestUrl, platform.apiKey, [event("tri-revenue", { revenue: 12.5, currency: "USD" })]);
    const outcome = await run(triageArn, { debounceSeconds: 0 });
    outcomes.first = outcome;
    expect(outcome.status).toBe("SUCCEEDED");
    expect(outcome.output).toMatchObject({ repaired: 3, redriven: 3, quarantined: 4, unreadableObjects: 1, alert: true });
    expect(Object.keys(outcome.output.byRule).sort()).toEqual(["epoch-sub-millisecond@1", "revenue-decimal-string@1", "unknown-top-level-fields@1"]);
    expect(await keys(TRIAGE_LEASE_KEY)).toEqual([]); // released after the debounce

    const quarantined = await keys(TRIAGE_PREFIXES.quarantine);
    // One object per dead-letter object and reason (the transformer may have split the request into batches).
    expect([...new Set(quarantined.map((k) => /reason=([a-z_]+)\//.exec(k)![1]))].sort()).toEqual(["malformed_json", "schema_violation", "unreadable"]);
    const letters = (await Promise.all(quarantined.map(ndjson))).flat();
    for (const l of letters) expect(l.quarantine.why).toEqual(expect.any(String));
    expect(letters.filter((l) => l.event_id).map((l) => l.event_id).sort()).toEqual(["tri-no-currency", "tri-no-user"]);
    expect(letters.find((l) => l.event_id === "tri-no-currency").quarantine.why).toMatch(/still rule_violation/);
  });

  it("loads every repaired event exactly once and stays balanced", async () => {
    await platform.waitForIdle();
    await loadAll();
    for (const id of Object.keys(REPAIRABLE)) expect(await eventCount(id)).toBe(1);
    for (const id of Object.keys(UNFIXABLE)) expect(await eventCount(id)).toBe(0);
    expect(await unbalanced()).toEqual([]);
    // The rows say which rule repaired them and which dead letter they came from.
    const marked = await rows("SELECT event_id, redriven_by, redriven_from FROM events WHERE event_id IN ('tri-epoch', 'tri-extra') ORDER BY event_id");
    expect(marked.map((r) => r.slice(0, 2))).toEqual([["tri-epoch", "epoch-sub-millisecond@1"], ["tri-extra", "unknown-top-level-fields@1"]]);
    for (const r of marked) expect(r[2]).toMatch(/^dlq\/dt=.*\.ndjson\.gz$/);
    // Three redriven; tri-revenue is loaded once, from the redrive or from the producer's retry.
    const [redriven, repaired] = (await rows("SELECT SUM(redriven), SUM(repaired) FROM audit_balance"))[0]!.map(Number);
    expect(redriven).toBe(3);
    expect([2, 3]).toContain(repaired);
  });

  it("changes nothing when run again", async () => {
    const before = await keys("");
    const outcome = await run(triageArn, { debounceSeconds: 0 });
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { objects: 0 } });
    await platform.waitForIdle();
    expect(await keys("")).toEqual(before);
  });

  it("answers `freshet dlq summary`, `show` and a dry-run `redrive` from the lake and the workflow", async () => {
    const summary = JSON.parse((await cli("summary", "--json")).out);
    expect(summary).toMatchObject({ unhandled: { objects: 0 }, quarantined: { byReason: { schema_violation: expect.any(Number), unreadable: 1 } } });
    expect(summary.latest).toMatchObject({ repaired: 3, quarantined: 4 });

    const shown = JSON.parse((await cli("show", "schema_violation", "--json")).out);
    expect(shown.letters.map((l: { eventId: string }) => l.eventId).sort()).toEqual(["tri-no-currency", "tri-no-user"]);
    expect(await cli("show", "no_such_reason")).toMatchObject({ code: 2 });

    const before = await keys("");
    const dry = await cli("redrive", "--reason", "schema_violation", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.err).toMatch(/Find/);
    expect(JSON.parse(dry.out)).toMatchObject({ objects: 0, reasonFilter: "schema_violation", dryRun: true });
    // Further back than the sweep's look-back, on request; never less than a day.
    expect(JSON.parse((await cli("redrive", "--reason", "schema_violation", "--days", "400", "--dry-run")).out)).toMatchObject({ objects: 0, dryRun: true });
    expect(await cli("redrive", "--reason", "schema_violation", "--days", "0")).toMatchObject({ code: 2 });
    expect(await keys("")).toEqual(before);
  });

  it("redrives nothing twice into the warehouse after a crash between redrive and ledger", async () => {
    await sendEvents(platform.ingestUrl, platform.apiKey, [event("tri-crash", { revenue: "3.10", currency: "EUR" })]);
    await platform.waitForIdle();
    // A dry run first: it repairs and reports, and writes nothing.
    const written = async () => [...(await keys(TRIAGE_PREFIXES.ledger)), ...(await keys(TRIAGE_PREFIXES.quarantine))];
    const before = await written();
    const dry = await cli("redrive", "--reason", "schema_violation", "--dry-run");
    expect(JSON.parse(dry.out)).toMatchObject({ objects: 1, repaired: 1, redriven: 0, dryRun: true, summaryKey: null });
    expect(await written()).toEqual(before);

    const redrivenSum = async () => Number((await rows("SELECT SUM(redriven) FROM audit_balance"))[0]![0]);
    const redrivenBefore = await redrivenSum();
    let crashes = 0;
    triageFaults.afterRedrive = () => {
      if (crashes++ === 0) throw new Error("crashed after PutRecords");
    };
    const outcome = await run(triageArn, { debounceSeconds: 0 });
    triageFaults.afterRedrive = undefined;
    expect(crashes).toBe(2); // the crash, then the retried triage, which put the records again
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { repaired: 1, redriven: 1 } });
    await platform.waitForIdle();
    await loadAll();
    expect(await eventCount("tri-crash")).toBe(1);
    expect(await unbalanced()).toEqual([]);
    // On the stream twice (both counted as redriven), in the warehouse once (the second a duplicate).
    expect((await redrivenSum()) - redrivenBefore).toBe(2);
    // The next run finds the object done.
    expect(await run(triageArn, { debounceSeconds: 0 })).toMatchObject({ output: { objects: 0 } });
  });
});
