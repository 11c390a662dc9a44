import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { query } from "../../../functions/src/load/data-api.ts";
import { run as audit } from "../../src/cli/commands/audit.ts";
import { run as loadNow, type LoadOutcome } from "../../src/cli/commands/load-now.ts";
import { run as replay, type ReplaySummary } from "../../src/cli/commands/replay.ts";
import { generateEvents, sendEvents, startPlatform, type Platform } from "../../src/index.ts";
import type { TrafficMix } from "../../src/traffic/events.ts";

/**
 * `freshet replay` of an hour already loaded, on the embedded platform: every raw record goes
 * back on the stream, the transformer handles them again, the Load drops each event_id the
 * warehouse has: no row count changes, the duplicates grow by exactly the replayed records, the
 * audit still balances and says what was replayed. `freshet load-now` runs each Load.
 */
const EVENTS = 3_000;
// Valid events only (no producer duplicates, heartbeats or invalid events): each replayed record
// is then one event already loaded, so the duplicates must grow by the replayed count exactly.
const VALID: TrafficMix = { v2: 0.8, v1: 0.2, duplicates: 0, heartbeats: 0, invalid: 0 };

let dataDir: string;
let platform: Platform;
let redshift: RedshiftDataClient;
const rows = (sql: string) => query(redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });

async function cli(run: (args: string[]) => Promise<number>, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/**
 * `freshet load-now` until a Load finds nothing to load; the Loads that loaded. A Load paused by
 * the Maintenance workflow's lease (its schedule fires when the platform starts, and on a busy
 * machine it may still run) is tried again after it.
 */
async function loadUntilIdle(): Promise<LoadOutcome[]> {
  const outcomes: LoadOutcome[] = [];
  for (let n = 0, paused = 0; n < 20 && paused < 600; ) {
    const { code, out, err } = await cli(loadNow, "--json", "--poll-seconds", "1");
    expect(err).toBe("");
    expect(code).toBe(0);
    const outcome = JSON.parse(out) as LoadOutcome;
    const output = outcome.output as { loaded?: boolean; paused?: string };
    if (output.paused !== undefined) {
      paused += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (!output.loaded) return outcomes;
    outcomes.push(outcome);
    n += 1;
  }
  throw new Error("the Load never ran out of work");
}

interface AuditJson {
  totals: { received: number; loaded: number; duplicates: number; in_flight: number };
  balanced: boolean;
  replays: { id: string; records: number; objects: number; from: string; to: string }[];
}

async function auditJson(): Promise<AuditJson> {
  const { code, out } = await cli(audit, "--json");
  expect(code).toBe(0);
  return JSON.parse(out) as AuditJson;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-replay-"));
  platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, triageOnLanding: false, scheduleOverride: "rate(1 day)" });
  redshift = new RedshiftDataClient({ endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}, 120_000);

afterAll(async () => {
  redshift?.destroy();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("replaying an hour already loaded changes no row count; the duplicates grow by the replayed records; the audit balances and lists the replay", async () => {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const events = generateEvents(EVENTS, new Date(), 7, VALID);
  const accepted = await Promise.all([0, 1, 2].map((k) => sendEvents(platform.ingestUrl, platform.apiKey, events.slice(k * 1000, (k + 1) * 1000).map((e) => e.line))));
  expect(accepted.reduce((a, b) => a + b, 0)).toBe(EVENTS);
  await platform.waitForIdle();
  await loadUntilIdle();
  const [[loadedBefore]] = (await rows("SELECT COUNT(*) FROM events")) as [[number]];
  expect(Number(loadedBefore)).toBe(EVENTS);
  const before = await auditJson();
  expect(before.balanced).toBe(true);
  expect(before.totals).toMatchObject({ loaded: EVENTS, duplicates: 0, in_flight: 0 });

  // The arrival hour (and the next, should the sending have crossed it).
  const range = ["--from", hour.toISOString(), "--to", new Date(hour.getTime() + 2 * 3_600_000).toISOString()];
  const dry = await cli(replay, ...range, "--dry-run", "--json");
  expect(dry.code).toBe(0);
  const counted = JSON.parse(dry.out) as ReplaySummary;
  expect(counted).toMatchObject({ dryRun: true, records: EVENTS });
  expect(counted.replayKey).toBeUndefined();

  const done = await cli(replay, ...range, "--json", "--rate", "5000");
  expect(done.err).toBe("");
  expect(done.code).toBe(0);
  const replayed = JSON.parse(done.out) as ReplaySummary;
  expect(replayed).toMatchObject({ dryRun: false, records: EVENTS, objects: counted.objects, replayKey: expect.stringMatching(/^replays\/.+\.json$/) });
  await platform.waitForIdle();
  const loads = await loadUntilIdle();
  // The replayed records were loaded, every one as a duplicate.
  const summaries = loads.map((l) => (l.output as { summary: { rows: number; duplicates: number } }).summary);
  expect(summaries.reduce((sum, s) => sum + s.duplicates, 0)).toBe(EVENTS);
  expect(summaries.reduce((sum, s) => sum + s.rows, 0)).toBe(0);

  const [[loadedAfter, distinctAfter]] = (await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")) as [[number, number]];
  expect([Number(loadedAfter), Number(distinctAfter)]).toEqual([EVENTS, EVENTS]);
  const after = await auditJson();
  expect(after.balanced).toBe(true);
  expect(after.totals.received - before.totals.received).toBe(replayed.records);
  expect(after.totals.duplicates - before.totals.duplicates).toBe(replayed.records);
  expect(after.totals.loaded).toBe(before.totals.loaded);
  expect(after.totals.in_flight).toBe(0);
  expect(after.replays).toEqual([expect.objectContaining({ records: replayed.records, objects: replayed.objects, from: hour.toISOString() })]);

  const text = await cli(audit);
  expect(text.out).toMatch(new RegExp(`^replayed ${hour.toISOString().slice(0, 16).replace("T", " ")} – .*: ${EVENTS.toLocaleString("en-US")} records from ${replayed.objects} raw object\\(s\\)`, "m"));
}, 240_000);
