import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { trainForest } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run as anomaliesCli } from "../../src/cli/commands/anomalies.ts";
import { executeBatch, query, type Cell } from "../../../functions/src/load/data-api.ts";
import { readAlerts } from "../../src/sns/alerts.ts";
import { registerLocalModel, startPlatform, type Platform } from "../../src/index.ts";

/**
 * AnomalyScoring through its real definition on the embedded endpoint: three hours of per-minute
 * signups for one campaign in the warehouse, a 10-minute drop to zero in the middle, an RCF model
 * trained on normal traffic registered at the stage's endpoint. Each run is started with the
 * `until` a LoadCompleted would give, stepping through the incident: quiet history (no alert),
 * the drop (one alert per series), more of the drop (no second alert), the recovery (one notice);
 * then a model the endpoint refuses (retried, OpsAlerts, no marketing alert).
 */
const START = Math.floor(Date.now() / 60_000) - 240; // Unix minutes, 4 hours ago
const DROP = [100, 110] as const; // minutes after START with no signups
const CAMPAIGN = "spring-sale";
const SETTINGS = { scoreMinutes: 30, minScores: 10 };

let dataDir: string;
let platform: Platform;
let sfn: SFNClient;
let redshift: RedshiftDataClient;
let arn: string;

const minuteIso = (m: number) => new Date((START + m) * 60_000).toISOString();
const rows = (sql: string): Promise<Cell[][]> => query(redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });

async function run(untilMinute: number, input: object = {}) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ until: minuteIso(untilMinute), settings: SETTINGS, pollSeconds: 1, ...input }) }),
  );
  const outcome = (await platform.services.stepFunctions.waitForExecution(executionArn!)) as unknown as { status: string; output: any; cause?: string };
  return { ...outcome, executionArn: executionArn! };
}

async function alerts(topic: "MarketingAlerts" | "OpsAlerts") {
  return (await readAlerts(join(dataDir, "sns"), { topics: [`freshet-local-${topic}`] })).alerts;
}
const marketing = async () => (await alerts("MarketingAlerts")).map((a) => ({ subject: a.subject, message: a.message, attributes: a.attributes as any }));

/** Signups per minute: 10 ± 2 (deterministic), none during the drop; page views stay at 60 (the stage
 * keeps 86 % of its events: complete minutes, a campaign's incident). */
function signupsAt(m: number): number {
  return m >= DROP[0] && m < DROP[1] ? 0 : 10 + (((m * 7) % 5) - 2);
}

async function seedEvents(): Promise<void> {
  const values: string[] = [];
  for (let m = 0; m < 180; m++) {
    for (let i = 0; i < signupsAt(m); i++) {
      const at = new Date((START + m) * 60_000 + i * 1000).toISOString().replace("T", " ").slice(0, 19);
      values.push(`('an-${m}-${i}', 'signup', '${at}', '${at}', 'u-${i}', 'a-1', '${CAMPAIGN}', 'web', 2, 2, '${at}', 'seed')`);
    }
    // The rest of the stage's traffic goes on through the drop: the stage is up, the campaign is not.
    for (let i = 0; i < 60; i++) {
      const at = new Date((START + m) * 60_000 + i * 1000).toISOString().replace("T", " ").slice(0, 19);
      values.push(`('pv-${m}-${i}', 'page_view', '${at}', '${at}', 'u-${i}', 'a-1', NULL, 'web', 2, 2, '${at}', 'seed')`);
    }
  }
  await executeBatch(
    redshift,
    { workgroup: "freshet-local", database: "freshet" },
    [`INSERT INTO events (event_id, event_type, occurred_at, received_at, user_id, account_id, campaign_id, channel, source_schema_version, schema_version, loaded_at, load_id) VALUES ${values.join(",")}`],
    "seed-anomaly-events",
    { firstPollMs: 5 },
  );
}

/** A model of normal traffic: shingles of signups relative to their level (~1 ± 0.2). */
function registerNormalModel(dimensions = 4): void {
  const points: number[][] = [];
  for (let m = 0; m < 512; m++) points.push(Array.from({ length: dimensions }, (_, k) => signupsAt((m + k) % 97) / 10));
  registerLocalModel(dataDir, "freshet-local-anomaly", trainForest(points, { dimensions, numberOfTrees: 50, sampleSize: 128, seed: 7 }));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-anomaly-"));
  platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, transformerEnvironments: 0, triageOnLanding: false });
  const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  sfn = new SFNClient(config);
  redshift = new RedshiftDataClient(config);
  arn = platform.workflows.workflows.find((w) => w.name === "AnomalyScoring")!.stateMachineArn;
  await seedEvents();
  registerNormalModel();
}, 60_000);

afterAll(async () => {
  sfn?.destroy();
  redshift?.destroy();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("AnomalyScoring on the embedded endpoint", () => {
  it("scores normal traffic without alerting anyone", async () => {
    const outcome = await run(95);
    expect(outcome.status, outcome.cause).toBe("SUCCEEDED");
    expect(outcome.output).toMatchObject({ alerts: 0, points: expect.any(Number) });
    expect(outcome.output.points).toBeGreaterThanOrEqual(30);
    expect(await marketing()).toEqual([]);
  });

  it("alerts marketing once when a campaign's conversions drop, with the context to act", async () => {
    const outcome = await run(104);
    expect(outcome.status, outcome.cause).toBe("SUCCEEDED");
    const sent = await marketing();
    const conversions = sent.filter((a) => a.attributes.metric?.Value === "conversions");
    expect(conversions).toHaveLength(1);
    expect(conversions[0]!.message).toMatch(/^campaign spring-sale: conversions 100 % below expected over the last 1 minute\./);
    expect(conversions[0]!.attributes).toMatchObject({
      dimension: { Type: "String", Value: CAMPAIGN },
      direction: { Type: "String", Value: "drop" },
      observed: { Type: "String", Value: "0" },
      expected: { Type: "String", Value: "10" },
    });
    expect(conversions[0]!.attributes.link.Value).toContain("/views/campaign_performance?campaign=spring-sale");
    // The same drop is also an anomaly of signup events by type: part of the same incident, so one
    // alert in all (the metric listed first leads), and both anomalies recorded.
    expect(sent.map((a) => `${a.attributes.metric.Value}|${a.attributes.dimension.Value}`)).toEqual(["conversions|spring-sale"]);
    expect(await rows("SELECT kind, metric, dimension, direction FROM anomalies ORDER BY metric")).toEqual([
      ["anomaly", "conversions", CAMPAIGN, "drop"],
      ["anomaly", "events", "signup", "drop"],
    ]);
  });

  it("stays silent while the same incident goes on", async () => {
    const outcome = await run(108);
    expect(outcome.status, outcome.cause).toBe("SUCCEEDED");
    expect(outcome.output.alerts).toBe(0);
    expect(await marketing()).toHaveLength(1);
  });

  it("sends one recovery notice when the campaign is back to normal", async () => {
    const outcome = await run(130);
    expect(outcome.status, outcome.cause).toBe("SUCCEEDED");
    const recovered = (await marketing()).filter((a) => a.attributes.kind?.Value === "recovered");
    expect(recovered.map((a) => a.attributes.metric.Value)).toEqual(["conversions"]);
    expect(recovered.find((a) => a.attributes.metric.Value === "conversions")!.message).toMatch(/^campaign spring-sale: conversions back to normal \(the drop lasted \d+ minutes\)/);
    expect(await rows("SELECT COUNT(*) FROM anomalies WHERE kind = 'recovered'")).toEqual([[2]]);
    // Quiet afterwards.
    expect((await run(150)).output.alerts).toBe(0);
  });

  it("lists what was alerted: freshet anomalies list [--since] [--json]", async () => {
    const cli = async (...args: string[]) => {
      let out = "";
      vi.stubEnv("AWS_ENDPOINT_URL", platform.endpointUrl);
      vi.stubEnv("AWS_REGION", "us-east-1");
      vi.stubEnv("AWS_ACCESS_KEY_ID", "local");
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local");
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
      try {
        return { code: await anomaliesCli(args), out };
      } finally {
        stdout.mockRestore();
        vi.unstubAllEnvs();
      }
    };
    const json = await cli("list", "--json");
    expect(json.code).toBe(0);
    const listed = json.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(listed.map((r) => `${r.kind} ${r.metric}/${r.dimension}`).sort()).toEqual([
      "anomaly conversions/spring-sale",
      "anomaly events/signup",
      "recovered conversions/spring-sale",
      "recovered events/signup",
    ]);
    const text = await cli("list", "--since", "1h");
    expect(text.out).toMatch(/recovered\s+conversions\/spring-sale\s+drop/);
    expect((await cli("list", "--since", "2h", "--json")).out).toBe(json.out);
    expect((await cli("list", "--since", "tomorrow")).code).toBe(2);
  });

  it("retries an endpoint error, then tells operators, never marketing", async () => {
    registerNormalModel(3); // the endpoint now refuses 4-value points (SageMaker's ValidationError)
    const before = (await marketing()).length;
    const outcome = await run(170);
    expect(outcome.status).toBe("FAILED");
    expect(outcome.cause).toMatch(/^Score: /);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: outcome.executionArn, maxResults: 1000 }));
    const scoreAttempts = history.events!.filter((e) => e.type === "TaskScheduled" && e.taskScheduledEventDetails?.resourceType === "aws-sdk:sagemakerruntime");
    expect(scoreAttempts).toHaveLength(3);
    const ops = await alerts("OpsAlerts");
    expect(ops.at(-1)!.subject).toBe("Freshet: anomaly scoring failed at Score");
    expect((await marketing()).length).toBe(before);
  }, 30_000);
});
