import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, type Cell } from "../../../functions/src/load/data-api.ts";
import { generateEvents, sendEvents, startPlatform, type GeneratedEvent, type Platform } from "../../src/index.ts";

/**
 * The whole pipeline end to end on the embedded endpoint: HTTP → ingest → Kinesis → transformer
 * (one batch redelivered after its writes) → lake → the real Load definition → DuckDB-backed
 * Redshift Data API. Load runs are started by hand (two at once first: the same manifest twice)
 * until one finds nothing left to load.
 */
const EVENTS = Number(process.env.FRESHET_E2E_EVENTS ?? 100_000);
const PER_REQUEST = 2000;
const now = new Date();
let dataDir: string;
let platform: Platform;
let sfn: SFNClient;
let redshift: RedshiftDataClient;
let sent: GeneratedEvent[];
let redelivered: string | undefined;
const runs: { status: string; output: Record<string, unknown> | null; cause?: string }[] = [];
const timings: Record<string, number> = {};

const rows = (sql: string): Promise<Cell[][]> => query(redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });

async function runLoad(stateMachineArn: string): Promise<(typeof runs)[number]> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ pollSeconds: 1 }) }));
  const outcome = (await platform.services.stepFunctions.waitForExecution(executionArn as string)) as unknown as (typeof runs)[number];
  runs.push(outcome);
  return outcome;
}

beforeAll(async () => {
  const t0 = performance.now();
  dataDir = await mkdtemp(join(tmpdir(), "freshet-e2e-warehouse-"));
  platform = await startPlatform({
    dataDir,
    batchingWindowSeconds: 0,
    // Counts the dead letters as the transformer wrote them: no triage on landing.
    triageOnLanding: false,
    scheduleOverride: "rate(1 minute)",
    // Lambda "crashes" once after writing a full batch: the mapping delivers it again.
    wrapTransformer: (handler) => async (event, context) => {
      const response = await handler(event, context);
      if (redelivered === undefined && event.Records.length === 500) {
        redelivered = event.Records[0]?.kinesis.sequenceNumber;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      }
      return response;
    },
  });
  const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  sfn = new SFNClient(config);
  redshift = new RedshiftDataClient(config);
  timings.start = performance.now() - t0;

  sent = generateEvents(EVENTS, now, 4242);
  const requests: string[][] = [];
  for (let i = 0; i < sent.length; i += PER_REQUEST) requests.push(sent.slice(i, i + PER_REQUEST).map((e) => e.line));
  let t = performance.now();
  const accepted = await Promise.all(requests.map((r) => sendEvents(platform.ingestUrl, platform.apiKey, r)));
  expect(accepted.reduce((a, b) => a + b, 0)).toBe(EVENTS);
  timings.ingest = performance.now() - t;
  t = performance.now();
  await platform.waitForIdle();
  timings.stream = performance.now() - t;

  t = performance.now();
  const load = platform.workflows.workflows.find((w) => w.name === "Load");
  if (!load) throw new Error(`no Load workflow in ${platform.workflows.workflows.map((w) => w.name).join(", ")}`);
  await Promise.all([runLoad(load.stateMachineArn), runLoad(load.stateMachineArn)]);
  for (let i = 0; i < 200 && (await runLoad(load.stateMachineArn)).output?.loaded !== false; i++);
  timings.load = performance.now() - t;
  console.log(`e2e-warehouse: ${EVENTS} events, ${runs.length} Load runs, ms:`, Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])));
}, 600_000);

afterAll(async () => {
  sfn?.destroy();
  redshift?.destroy();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("pipeline end to end into the warehouse", () => {
  it("redelivered a batch and ran two loads of the same manifest at once", () => {
    expect(redelivered).toBeDefined();
    const [a, b] = runs;
    // Both planned the same load: at most one copies it, a loser fails at Copy (alerted).
    expect([a?.status, b?.status]).toContain("SUCCEEDED");
    for (const run of [a, b]) if (run?.status === "FAILED") expect(run.cause).toMatch(/^Copy: /);
    expect(runs.at(-1)).toMatchObject({ status: "SUCCEEDED", output: { loaded: false, objects: 0 } });
  });

  it("has every valid event in events exactly once", async () => {
    const valid = new Set(sent.flatMap((e) => (e.expected.kind === "processed" ? [e.expected.eventId] : [])));
    expect(valid.size).toBeGreaterThan(EVENTS * 0.7);
    expect(await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[valid.size, valid.size]]);
    const loaded = new Set((await rows("SELECT event_id FROM events")).map((r) => r[0]));
    expect(loaded).toEqual(valid);
  });

  it("balances the audit in every window, accounting for every event sent", async () => {
    const unbalanced = await rows("SELECT window_start, status, in_flight FROM audit_balance WHERE status <> 'balanced'");
    expect(unbalanced).toEqual([]);
    const count = (kind: string) => sent.filter((e) => e.expected.kind === kind).length;
    const valid = new Set(sent.flatMap((e) => (e.expected.kind === "processed" ? [e.expected.eventId] : [])));
    const sums = (await rows("SELECT SUM(received), SUM(processed), SUM(filtered), SUM(dead_lettered), SUM(loaded), SUM(duplicates) FROM audit_balance"))[0]!.map(Number);
    expect({ received: sums[0], processed: sums[1], filtered: sums[2], deadLettered: sums[3], loaded: sums[4], duplicates: sums[5] }).toEqual({
      received: EVENTS,
      processed: count("processed"),
      filtered: count("filtered"),
      deadLettered: count("dead_lettered"),
      loaded: valid.size,
      duplicates: count("processed") - valid.size,
    });
  });
});
