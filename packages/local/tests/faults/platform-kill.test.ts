import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { generateEvents, sendEvents, type GeneratedEvent } from "../../src/index.ts";
import { expectExactlyOnceAndBalanced } from "./harness.ts";

/**
 * The whole platform SIGKILLed twice and restarted on its data directory, as a user's machine
 * would: once while the transformer is mid-batch (2 objects of a batch stored, the rest hung, no
 * receipt), once while a Load's COPY is in flight (held before its commit, the workflow waiting
 * on its DescribeStatement). Each kill lands on a hook's report, never on timing. After the last
 * restart the interrupted execution ends, Loads run until one finds nothing, and nothing is lost
 * or loaded twice.
 */
type Fault = "mid-ingest" | "mid-load" | "none";
interface Running {
  readonly child: ChildProcess;
  readonly ready: { ingestUrl: string; endpointUrl: string; apiKey: string; loadArn: string };
  next(key: string): Promise<Record<string, unknown>>;
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

const FIXTURE = join(import.meta.dirname, "fixtures", "killable-platform.ts");
const children: ChildProcess[] = [];
let dataDir: string | undefined;

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Three neighbouring free ports below the ephemeral range: the same on every start (the handlers keep their endpoint URL). */
async function freePorts(): Promise<number> {
  const canListen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + 3 * Math.floor(Math.random() * 4_000);
    if ((await canListen(port)) && (await canListen(port + 1)) && (await canListen(port + 2))) return port;
  }
  throw new Error("no three neighbouring free ports in 20000-32000");
}

async function start(port: number, fault: Fault): Promise<Running> {
  const child = spawn(process.execPath, [FIXTURE, dataDir!, String(port), fault], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return;
    messages.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  const next = async (key: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = messages.find((m) => key in m);
      if (found) return found;
      const woken = new Promise<void>((resolve) => waiters.push(resolve));
      const ended = await Promise.race([woken.then(() => false), exited.then(() => true)]);
      if (ended && !messages.some((m) => key in m)) throw new Error(`the platform (${fault}) exited before reporting ${key}: ${stderr.slice(-2000)}`);
    }
  };
  const ready = (await next("ready")).ready as Running["ready"];
  return { child, ready, next, exited };
}

async function kill(running: Running): Promise<void> {
  running.child.kill("SIGKILL");
  expect(await running.exited).toBe("SIGKILL");
}

function clientsFor(endpoint: string) {
  const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  return { sfn: new SFNClient(config), redshift: new RedshiftDataClient(config) };
}

async function finished(sfn: SFNClient, executionArn: string) {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== "RUNNING") return execution;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the platform SIGKILLed mid-ingest and mid-load, restarted on its data directory", () => {
  it("loses and duplicates nothing; the next Loads finish what the killed one started", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "freshet-kill-"));
    const port = await freePorts();
    const sent: GeneratedEvent[] = [];

    // 1. Mid-ingest: the events are accepted (in the stream); the transformer hangs mid-batch.
    const first = await start(port, "mid-ingest");
    const batch = generateEvents(300, new Date(), 401);
    expect(await sendEvents(first.ready.ingestUrl, first.ready.apiKey, batch.map((e) => e.line))).toBe(batch.length);
    sent.push(...batch);
    const { hung } = (await first.next("hung")) as { hung: { stored: string[]; held: number } };
    expect(hung.stored).toHaveLength(2);
    expect(hung.held).toBeGreaterThan(0);
    await kill(first);

    // 2. Mid-load: the restarted mapping resumes from its checkpoint; a Load's COPY is cut off in flight.
    const second = await start(port, "mid-load");
    const more = generateEvents(200, new Date(), 402);
    expect(await sendEvents(second.ready.ingestUrl, second.ready.apiKey, more.map((e) => e.line))).toBe(more.length);
    sent.push(...more);
    await second.next("idle");
    const b = clientsFor(second.ready.endpointUrl);
    const { executionArn } = await b.sfn.send(new StartExecutionCommand({ stateMachineArn: second.ready.loadArn, input: JSON.stringify({ pollSeconds: 1, reconcile: false }) }));
    const { inFlight } = (await second.next("inFlight")) as { inFlight: string };
    expect(inFlight).toMatch(/.+/);
    b.sfn.destroy();
    b.redshift.destroy();
    await kill(second);

    // 3. Restarted without faults: the interrupted execution ends, then Loads until one finds nothing.
    const third = await start(port, "none");
    await third.next("idle");
    const c = clientsFor(third.ready.endpointUrl);
    try {
      const interrupted = await finished(c.sfn, executionArn!);
      // It resumed from its checkpoint and found its COPY rolled back by the kill: it fails and alerts.
      expect(interrupted.status).toBe("FAILED");
      expect(interrupted.cause).toMatch(/^Copy: RedshiftData\.FAILED: The local Redshift service stopped while this statement was running; its transaction was rolled back/);
      const outcomes: { status?: string; output?: { loaded?: boolean } }[] = [];
      for (let i = 0; i < 10 && outcomes.at(-1)?.output?.loaded !== false; i++) {
        const run = await c.sfn.send(new StartExecutionCommand({ stateMachineArn: third.ready.loadArn, input: JSON.stringify({ pollSeconds: 1, reconcile: false }) }));
        const outcome = await finished(c.sfn, run.executionArn!);
        outcomes.push({ status: outcome.status, output: outcome.output ? (JSON.parse(outcome.output) as { loaded?: boolean }) : undefined });
      }
      expect(outcomes.every((o) => o.status === "SUCCEEDED"), JSON.stringify(outcomes)).toBe(true);
      expect(outcomes.map((o) => o.output?.loaded)).toEqual([true, false]);
      await expectExactlyOnceAndBalanced(c.redshift, sent);
    } finally {
      c.sfn.destroy();
      c.redshift.destroy();
      third.child.kill("SIGTERM");
      await third.exited;
    }
  }, 240_000); // three platform starts: minutes on a loaded 2-core machine
});
