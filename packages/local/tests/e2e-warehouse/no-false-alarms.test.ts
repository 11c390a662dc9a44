import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startPlatform, type Platform } from "../../src/index.ts";
import { readAlerts } from "../../src/sns/index.ts";
import type { TrafficMix } from "../../src/traffic/events.ts";
import { startTraffic, type Traffic } from "../../src/traffic/generator.ts";

/**
 * `npm start` with traffic, schedules compressed, for a minute and a half: a healthy pipeline
 * raises no alert at all. The traffic has no invalid events: 6 % invalid events (the default mix)
 * make triage quarantine hundreds of letters a minute and alert OpsAlerts, which is a true alert
 * about a bad producer, not a false alarm. LakeFreshness runs every 5 seconds from the start,
 * first before any batch can exist, as a fresh stage's schedule does.
 */
const RUN_MS = 90_000;
const HEALTHY: TrafficMix = { v2: 0.66, v1: 0.2, duplicates: 0.04, heartbeats: 0.1, invalid: 0 };

let dataDir: string | undefined;
let platform: Platform | undefined;
let traffic: Traffic | undefined;

afterAll(async () => {
  await traffic?.stop();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("a healthy stage, from its first minute, alerts neither OpsAlerts nor MarketingAlerts", async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-no-false-alarms-"));
  platform = await startPlatform({
    dataDir,
    batchingWindowSeconds: 1,
    // As `npm start` schedules them, LakeFreshness as often as the Load.
    scheduleOverride: ({ workflow }) =>
      workflow === "Load" || workflow === "LakeFreshness" ? "rate(5 seconds)" : workflow === "Maintenance" ? "rate(10 minutes)" : "rate(1 minute)",
  });
  traffic = startTraffic(platform.ingestUrl, platform.apiKey, 100, { mix: HEALTHY });
  await new Promise((resolve) => setTimeout(resolve, RUN_MS));
  await traffic.stop();
  await platform.waitForIdle();

  expect(traffic.errors()).toBe(0);
  expect(platform.counts().processed).toBeGreaterThan(0);
  const { alerts } = await readAlerts(join(platform.dataDir, "sns"), { topics: ["freshet-local-OpsAlerts", "freshet-local-MarketingAlerts"] });
  expect(alerts.map((a) => `${a.topic}: ${a.subject}`)).toEqual([]);

  // LakeFreshness did run, first before the stage's first batch and then on a moving lake.
  const freshness = platform.workflows.workflows.find((w) => w.name === "LakeFreshness")!;
  const client = new SFNClient({ endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn: freshness.stateMachineArn, maxResults: 1000 }));
    const statuses = await Promise.all(
      (executions ?? [])
        .filter((e) => e.status === "SUCCEEDED")
        .map(async (e) => (JSON.parse((await client.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))).output ?? "{}") as { status: string }).status),
    );
    expect(statuses).toContain("fresh");
    expect(statuses.length).toBeGreaterThan(5);
  } finally {
    client.destroy();
  }
}, RUN_MS + 90_000);
