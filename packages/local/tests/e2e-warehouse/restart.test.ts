import { DescribeStatementCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from "@aws-sdk/client-sfn";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { query, type Cell } from "../../../functions/src/load/data-api.ts";
import { LOCAL_RESOURCES, startPlatform, type LocalFaults, type Platform } from "../../src/index.ts";
import type { HeldBatch, StatementFaults } from "../../src/redshift/index.ts";
import { realClock } from "../../src/sfn/index.ts";
import { readAlerts } from "../../src/sns/index.ts";
import { writeGeneratedLake } from "../warehouse/lake-writer.ts";

/**
 * The embedded endpoint stops between the Load's Copy and its DescribeStatement (the execution
 * is waiting to poll a statement the old process ran) and a new platform starts on the same data
 * dir: the execution resumes from its checkpoint and the objects end up loaded exactly once.
 * Whether the COPY batch has committed when the stop comes is decided by the test, not by timing:
 * it waits for the statement to finish, or holds the batch before its commit (a `beforeCommit`
 * fault) so the stop provably cuts it off.
 */
const now = new Date();
let dataDir: string | undefined;
const open: { platform?: Platform; clients: { destroy(): void }[] } = { clients: [] };

function clientsFor(platform: Platform) {
  const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const made = { s3: new S3Client({ ...config, forcePathStyle: true }), sfn: new SFNClient(config), redshift: new RedshiftDataClient(config) };
  open.clients.push(...Object.values(made));
  return made;
}

/**
 * A port whose two neighbours are free too (the ingest API, the endpoint and the console), all
 * below Linux's ephemeral range (32768–60999): outgoing connections of this or another process
 * take their local ports there, and one holding `port + 1` made the platform's listen fail.
 */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + 3 * Math.floor(Math.random() * 4_000);
    if ((await canListen(port)) && (await canListen(port + 1)) && (await canListen(port + 2))) return port;
  }
  throw new Error("no three neighbouring free ports in 20000–32000");
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (listening) await new Promise((r) => server.close(r));
  return listening;
}

function loadArn(platform: Platform): string {
  const load = platform.workflows.workflows.find((w) => w.name === "Load");
  if (!load) throw new Error("no Load workflow deployed");
  return load.stateMachineArn;
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

afterAll(finish);

/** The Load's COPY batch: held before its commit until the stop cuts it off. */
function holdCopy(): { faults: StatementFaults; held: Promise<HeldBatch> } {
  const held = Promise.withResolvers<HeldBatch>();
  const faults: StatementFaults = {
    beforeCommit: (batch) => {
      if (!batch.queryStrings.some((sql) => /^\s*COPY\b/i.test(sql))) return undefined;
      held.resolve(batch);
      return new Promise<void>(() => {}); // never released: only the stop ends it
    },
  };
  return { faults, held: held.promise };
}

/**
 * Step Functions' time standing still once the Load's COPY batch is submitted: the execution sits
 * in WaitForStatement (however short its first wait) until the stop aborts it.
 */
function holdWaitsAfterCopy(): LocalFaults {
  let holding = false;
  return {
    dataApi: {
      beforeCall: (call) => {
        if (call.operation === "BatchExecuteStatement" && JSON.stringify(call.input).includes("COPY load_stage")) holding = true;
        return undefined;
      },
    },
    clock: {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        holding && ms > 0
          ? new Promise<void>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason ?? new Error("aborted")), { once: true }))
          : realClock.sleep(ms, signal),
    },
  };
}

/**
 * Starts a Load, waits for its Copy to be submitted, then for the statement to finish ("finished")
 * or to be held before its commit ("cut-off"), and stops the platform.
 */
async function stopAfterCopy(port: number, copy: "finished" | "cut-off") {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-e2e-restart-"));
  const hold = copy === "cut-off" ? holdCopy() : undefined;
  const faults: LocalFaults = hold ? { redshift: hold.faults } : holdWaitsAfterCopy();
  const first = await startPlatform({ dataDir, port, batchingWindowSeconds: 0, triageOnLanding: false, faults });
  open.platform = first;
  const a = clientsFor(first);
  const lake = await writeGeneratedLake(a.s3, LOCAL_RESOURCES.bucketName, { count: 3000, now, seed: 31, batchSize: 300 });
  // The execution sits in WaitForStatement while the endpoint is down (held there when the COPY finishes).
  const { executionArn } = await a.sfn.send(new StartExecutionCommand({ stateMachineArn: loadArn(first), input: JSON.stringify({ pollSeconds: 3 }) }));
  const deadline = Date.now() + 30_000;
  let copied: HistoryEvent | undefined;
  while (!copied && Date.now() < deadline) {
    const events = await history(a.sfn, executionArn as string);
    copied = events.find((e) => e.type === "TaskSucceeded" && e.taskSucceededEventDetails?.resource === "batchExecuteStatement");
    expect(events.some((e) => e.type === "ExecutionSucceeded" || e.type === "ExecutionFailed")).toBe(false);
    if (!copied) await new Promise((r) => setTimeout(r, 10));
  }
  expect(copied, "Copy's TaskSucceeded").toBeDefined();
  const { Id: copyId } = JSON.parse(copied!.taskSucceededEventDetails!.output!) as { Id: string };
  if (hold) {
    // Every SQL of the batch has run and it waits to commit: the stop falls mid-transaction.
    expect((await hold.held).id).toBe(copyId);
    expect((await a.redshift.send(new DescribeStatementCommand({ Id: copyId }))).Status).toBe("STARTED");
  } else {
    for (let status = ""; status !== "FINISHED"; await new Promise((r) => setTimeout(r, 10))) {
      status = (await a.redshift.send(new DescribeStatementCommand({ Id: copyId }))).Status ?? "";
      expect(["SUBMITTED", "PICKED", "STARTED", "FINISHED"]).toContain(status);
    }
    // Still waiting to poll: the restart really falls between Copy and DescribeStatement.
    expect((await history(a.sfn, executionArn as string)).some((e) => e.type === "TaskScheduled" && e.taskScheduledEventDetails?.resource === "describeStatement")).toBe(false);
  }
  open.clients.splice(0).forEach((c) => c.destroy());
  await first.stop();
  open.platform = undefined;

  const second = await startPlatform({ dataDir, port, batchingWindowSeconds: 0, triageOnLanding: false });
  open.platform = second;
  const b = clientsFor(second);
  const outcome = await second.services.stepFunctions.waitForExecution(executionArn as string);
  const rows = (sql: string): Promise<Cell[][]> => query(b.redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });
  const runLoad = async () => {
    const next = await b.sfn.send(new StartExecutionCommand({ stateMachineArn: loadArn(second), input: JSON.stringify({ pollSeconds: 1 }) }));
    return second.services.stepFunctions.waitForExecution(next.executionArn as string);
  };
  const copies = (await history(b.sfn, executionArn as string)).filter((e) => e.type === "TaskSucceeded" && e.taskSucceededEventDetails?.resource === "batchExecuteStatement");
  const statement = () => b.redshift.send(new DescribeStatementCommand({ Id: copyId }));
  return { second, lake, outcome, rows, runLoad, copies, statement };
}

async function finish(): Promise<void> {
  open.clients.splice(0).forEach((c) => c.destroy());
  await open.platform?.stop();
  open.platform = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}

describe("Load across an endpoint restart between Copy and DescribeStatement", () => {
  let port: number;
  beforeAll(async () => {
    // Same ports on every start: the handlers' SDK clients keep the endpoint URL they were made with.
    port = await freePortPair();
  });
  afterEach(finish);

  it("resumes polling the finished statement on the new endpoint: loaded once, one Copy", async () => {
    const { lake, outcome, rows, runLoad, copies } = await stopAfterCopy(port, "finished");
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    // The summary too: statement results outlive the restart, as they do in the Data API.
    expect(outcome.output).toMatchObject({
      loaded: true,
      objects: lake.processedKeys.length,
      summary: { status: "loaded", rows: lake.eventIds.size },
    });
    expect(copies).toHaveLength(1); // the resumed execution polled the statement the first process ran
    expect(await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[lake.eventIds.size, lake.eventIds.size]]);
    expect((await rows("SELECT object_key FROM load_ledger ORDER BY object_key")).map((r) => r[0])).toEqual([...lake.processedKeys].sort());
    expect((await runLoad()).output).toMatchObject({ loaded: false, objects: 0 });
  }, 90_000);

  it("a statement cut off by the stop is rolled back and alerted; the next run loads it exactly once", async () => {
    const { second, lake, outcome, rows, runLoad, statement } = await stopAfterCopy(port, "cut-off");
    // The COPY batch was held before its commit when the platform stopped: it is rolled back.
    expect(outcome.status, JSON.stringify(outcome)).toBe("FAILED");
    expect(outcome).toMatchObject({ error: "Freshet.LoadFailed" });
    expect(outcome.cause).toMatch(/^Copy: RedshiftData\.FAILED: The local Redshift service stopped/);
    expect(await statement()).toMatchObject({ Status: "FAILED", Error: expect.stringMatching(/stopped while this statement was running; its transaction was rolled back$/) });
    // Only the Load's alerts: the scheduled lake-freshness check may alert OpsAlerts too.
    const { alerts } = await readAlerts(second.services.sns.snsDir, { topics: ["OpsAlerts"] });
    expect(alerts.filter((alert) => alert.subject?.startsWith("Freshet: warehouse load failed")).map((alert) => alert.message)).toEqual([
      expect.stringContaining("failed at Copy (RedshiftData.FAILED: The local Redshift service stopped"),
    ]);
    expect(await rows("SELECT COUNT(*) FROM events")).toEqual([[0]]);
    expect((await runLoad()).output).toMatchObject({ loaded: true, objects: lake.processedKeys.length });
    expect(await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[lake.eventIds.size, lake.eventIds.size]]);
    expect((await rows("SELECT object_key FROM load_ledger ORDER BY object_key")).map((r) => r[0])).toEqual([...lake.processedKeys].sort());
    expect((await runLoad()).output).toMatchObject({ loaded: false, objects: 0 });
  }, 90_000);
});
