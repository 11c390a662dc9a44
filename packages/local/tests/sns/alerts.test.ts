import { CreateTopicCommand, PublishCommand } from "@aws-sdk/client-sns";
import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run as runAlerts } from "../../src/cli/commands/alerts.ts";
import { AlertQueryError, formatAlerts, parseSince, readAlerts, topicMatches } from "../../src/sns/index.ts";
import { startSns, tempDataDir, type SnsHarness } from "./harness.ts";

const run = promisify(execFile);
const CLI = new URL("../../src/cli/freshet.ts", import.meta.url).pathname;

let sns: SnsHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `freshet alerts …` in this process (fast): its exit code and what it wrote. */
async function alerts(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const written = { stdout: "", stderr: "" };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((written.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((written.stderr += chunk), true)) as typeof process.stderr.write;
  vi.stubEnv("FRESHET_DATA_DIR", dataDir);
  try {
    const code = await runAlerts(args);
    return { code, ...written };
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    vi.unstubAllEnvs();
  }
}

/** `freshet alerts …` exactly as an operator runs it: a new process through the CLI's dispatcher. */
async function alertsCli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, "alerts", ...args], { env: { ...process.env, FRESHET_DATA_DIR: dataDir } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const MINUTE = 60_000;

/** Publishes a small history: Ops and Marketing alerts interleaved over the last three hours. */
async function history(): Promise<{ now: number; dataDir: string }> {
  const now = Date.now();
  let clock = now;
  sns = await startSns({ now: () => clock, topics: [{ name: "MarketingAlerts" }, { name: "OpsAlerts" }] });
  const publish = async (topic: string, agoMinutes: number, message: string, subject?: string) => {
    clock = now - agoMinutes * MINUTE;
    await sns!.client.send(
      new PublishCommand({ TopicArn: sns!.service.topicArn(topic), Message: message, Subject: subject, MessageAttributes: { severity: { DataType: "String", StringValue: "high" } } }),
    );
  };
  // Published out of time order, to prove the output is sorted by time, not by file or arrival.
  await publish("OpsAlerts", 170, "Load failed: COPY error\ndetails follow", "Load failed");
  await publish("OpsAlerts", 5, "2 stuck batches");
  await publish("MarketingAlerts", 110, "signups +340% vs forecast\nscore 4.2", "Signups spiked");
  await publish("MarketingAlerts", 10, "checkout conversion -40%", "Conversion dropped");
  return { now, dataDir: sns.dataDir };
}

describe("freshet alerts", () => {
  it("prints every topic's alerts oldest first: time, topic, subject, first line (run through the operator CLI)", async () => {
    const { now, dataDir } = await history();
    const out = await alertsCli(dataDir);
    expect(out.code).toBe(0);
    const at = (ago: number) => new Date(now - ago * MINUTE).toISOString();
    expect(out.stdout).toBe(
      [
        `${at(170)}  OpsAlerts        Load failed         Load failed: COPY error`,
        `${at(110)}  MarketingAlerts  Signups spiked      signups +340% vs forecast`,
        `${at(10)}  MarketingAlerts  Conversion dropped  checkout conversion -40%`,
        `${at(5)}  OpsAlerts        -                   2 stuck batches`,
        "",
      ].join("\n"),
    );
  });

  it("filters by topic (name, ARN or repeated) and by --since (duration or ISO time)", async () => {
    const { now, dataDir } = await history();
    const messages = (stdout: string) => stdout.trimEnd().split("\n").map((l) => l.split(/ {2,}/).at(-1));
    expect(messages((await alerts(dataDir, "--topic", "OpsAlerts")).stdout)).toEqual(["Load failed: COPY error", "2 stuck batches"]);
    expect(messages((await alerts(dataDir, "--topic", sns!.service.topicArn("MarketingAlerts"))).stdout)).toEqual([
      "signups +340% vs forecast",
      "checkout conversion -40%",
    ]);
    expect(messages((await alerts(dataDir, "--topic", "OpsAlerts", "--topic", "MarketingAlerts", "--since", "15m")).stdout)).toEqual([
      "checkout conversion -40%",
      "2 stuck batches",
    ]);
    expect(messages((await alerts(dataDir, "--since", "2h", "--topic", "MarketingAlerts")).stdout)).toEqual([
      "signups +340% vs forecast",
      "checkout conversion -40%",
    ]);
    const iso = new Date(now - 150 * MINUTE).toISOString();
    expect(messages((await alerts(dataDir, "--since", iso)).stdout)).toHaveLength(3);
    const none = await alerts(dataDir, "--topic", "Nobody");
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(none.stderr).toContain("no alerts");
  });

  it("prints one JSON object per alert with --json", async () => {
    const { dataDir } = await history();
    const out = await alerts(dataDir, "--json", "--topic", "OpsAlerts");
    const lines = out.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      topic: "OpsAlerts",
      topicArn: sns!.service.topicArn("OpsAlerts"),
      subject: "Load failed",
      message: "Load failed: COPY error\ndetails follow",
      attributes: { severity: { Type: "String", Value: "high" } },
    });
    expect(lines[1]).toMatchObject({ subject: null, message: "2 stuck batches" });
    expect(Object.keys(lines[0]!).sort()).toEqual(["attributes", "message", "messageId", "subject", "timestamp", "topic", "topicArn"]);
  });

  it("exits 2 on bad options, 0 with a note when there is nothing yet", async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const empty = await alerts(dataDir);
    expect(empty).toMatchObject({ code: 0, stdout: "" });
    expect(empty.stderr).toContain(`no alerts in ${join(dataDir, "sns")}`);
    const badSince = await alerts(dataDir, "--since", "yesterday");
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('--since takes an ISO time (2026-11-26T08:00:00Z) or a duration (30s, 15m, 2h, 7d), not "yesterday"');
    const unknown = await alertsCli(dataDir, "--colour");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("usage: freshet alerts");
    const help = await alerts(dataDir, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("subscribe an email address");
  });
});

describe("reading the sink files", () => {
  it("skips and counts lines that are not sink records (a line cut short by a crash)", async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const snsDir = join(dataDir, "sns");
    mkdirSync(snsDir);
    const record = (id: string, timestamp: string) =>
      JSON.stringify({ messageId: id, topicArn: "arn:aws:sns:us-east-1:000000000000:OpsAlerts", subject: null, message: id, attributes: {}, timestamp });
    appendFileSync(join(snsDir, "OpsAlerts.ndjson"), `${record("a", "2026-11-26T08:00:00.000Z")}\n{"messageId":"b","top\n\n${record("c", "2026-11-26T09:00:00.000Z")}\n`);
    appendFileSync(join(snsDir, "state.json"), "{}"); // not a sink file
    const reading = await readAlerts(snsDir);
    expect(reading.unreadableLines).toBe(1);
    expect(reading.alerts.map((a) => [a.topic, a.messageId])).toEqual([
      ["OpsAlerts", "a"],
      ["OpsAlerts", "c"],
    ]);
    const out = await alerts(dataDir);
    expect(out.stderr).toContain("skipped 1 unreadable line(s)");
    expect(out.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(await readAlerts(join(dataDir, "missing"))).toEqual({ alerts: [], unreadableLines: 0 });
  });

  it("parses --since and matches topic filters", () => {
    const now = Date.parse("2026-11-26T12:00:00Z");
    expect(parseSince("90s", now).toISOString()).toBe("2026-11-26T11:58:30.000Z");
    expect(parseSince("15m", now).toISOString()).toBe("2026-11-26T11:45:00.000Z");
    expect(parseSince("2h", now).toISOString()).toBe("2026-11-26T10:00:00.000Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-11-19T12:00:00.000Z");
    expect(parseSince("2026-11-26T08:00:00Z", now).toISOString()).toBe("2026-11-26T08:00:00.000Z");
    expect(parseSince("2026-11-26", now).toISOString()).toBe("2026-11-26T00:00:00.000Z");
    for (const bad of ["15", "15 m", "-2h", "2026-13-45", "soon", ""]) expect(() => parseSince(bad, now), bad).toThrow(AlertQueryError);

    expect(topicMatches("OpsAlerts", "OpsAlerts")).toBe(true);
    expect(topicMatches("OpsAlerts", "freshet-local-OpsAlerts")).toBe(true);
    expect(topicMatches("Alerts", "OpsAlerts")).toBe(false);
    expect(topicMatches("arn:aws:sns:us-east-1:000000000000:OpsAlerts", "OpsAlerts")).toBe(true);
    expect(topicMatches("arn:aws:sns:us-east-1:000000000000:Ops", "OpsAlerts")).toBe(false);
  });

  it("formats long subjects and messages without breaking the columns", () => {
    const base = { messageId: "m", topicArn: "arn", attributes: {}, timestamp: "2026-11-26T08:00:00.000Z" };
    const lines = formatAlerts([
      { ...base, topic: "A", subject: "s".repeat(60), message: "x".repeat(300) },
      { ...base, topic: "LongerTopic", subject: null, message: "short" },
    ]);
    expect(lines[0]).toBe(`2026-11-26T08:00:00.000Z  A            ${"s".repeat(60)}  ${"x".repeat(159)}…`);
    expect(lines[1]).toBe(`2026-11-26T08:00:00.000Z  LongerTopic  ${"-".padEnd(40)}  short`);
  });
});
