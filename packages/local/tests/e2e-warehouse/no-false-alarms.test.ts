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
 * `npm start` with traffic, schedules compressed, for three quarters of a minute: a healthy pipeline
 * raises no alert at all. The traffic has no invalid events: 6 % invalid events (the default mix)
 * make triage quarantine hundreds of letters a minute and alert OpsAlerts, which is a true alert
 * about a bad producer, not a false alarm. LakeFreshness runs every 5 seconds; the traffic starts
 * once its first run has finished, so that run sees the stage before its first event, as a fresh
 * deploy's schedule (which fires at creation) does.
 */
const RUN_MS = 45_000;
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
  const freshness = platform.workflows.workflows.find((w) => w.name === "LakeFreshness")!;
  const client = new SFNClient({ endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const executions = async () => (await client.send(new ListExecutionsCommand({ stateMachineArn: freshness.stateMachineArn, maxResults: 1000 }))).executions ?? [];
  const outputs = async () => {
    const finished = (await executions()).filter((e) => e.status !== "RUNNING").sort((a, b) => a.startDate!.getTime() - b.startDate!.getTime());
    return Promise.all(
      finished.map(async (e) => {
        const described = await client.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        return { status: described.status, output: JSON.parse(described.output ?? "{}") as { status?: string } };
      }),
    );
  };
  try {
    // A run finished and none running: on a busy machine an earlier run may still be going, and
    // would then see the traffic.
    const settled = async () => {
      const listed = await executions();
      return listed.length > 0 && listed.every((e) => e.status !== "RUNNING");
    };
    while (!(await settled())) await new Promise((resolve) => setTimeout(resolve, 50));
    const before = await outputs();
    traffic = startTraffic(platform.ingestUrl, platform.apiKey, 100, { mix: HEALTHY });
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    await traffic.stop();
    await platform.waitForIdle();

    expect(traffic.errors()).toBe(0);
    expect(platform.counts().processed).toBeGreaterThan(0);
    const { alerts } = await readAlerts(join(platform.dataDir, "sns"), { topics: ["freshet-local-OpsAlerts", "freshet-local-MarketingAlerts"] });
    expect(alerts.map((a) => `${a.topic}: ${a.subject}`)).toEqual([]);

    // LakeFreshness ran throughout: before the stage's first event, then on a moving lake.
    const runs = await outputs();
    expect(runs.length).toBeGreaterThan(5);
    expect(runs.every((r) => r.status === "SUCCEEDED")).toBe(true);
    expect(before.map((r) => r.output.status)).toEqual(before.map(() => "awaiting-first-event"));
    expect(runs[0]!.output.status).toBe("awaiting-first-event");
    expect(runs.map((r) => r.output.status)).toContain("fresh");
  } finally {
    client.destroy();
  }
}, RUN_MS + 90_000);
