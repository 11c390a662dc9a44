import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LOAD_CLAIMS_PREFIX, MAINTENANCE_LEASE_KEY } from "@freshet/core";
import { Load, MAINTENANCE_COMPLETED_DETAIL_TYPE, MAINTENANCE_COMPLETED_SOURCE, Maintenance } from "@freshet/workflows";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { query, type Cell } from "../../../functions/src/load/data-api.ts";
import { localWorkflowResources } from "../../src/deploy/index.ts";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { LOCAL_RESOURCES } from "../../src/platform/links.ts";
import { createLocalServices, type LocalServices } from "../../src/platform/local-services.ts";
import type { HeldVacuum } from "../../src/redshift/index.ts";
import { realClock, type Clock, type LambdaHandler } from "../../src/sfn/index.ts";
import { readAlerts } from "../../src/sns/index.ts";
import { provisionWarehouseWorkflows } from "./workflow-endpoint.ts";
import { writeGeneratedLake, type WrittenLake } from "./lake-writer.ts";

/**
 * The Maintenance workflow end to end on one embedded endpoint, through its real definition:
 * the Data API's SVV_TABLE_INFO measures the tables the Load workflow fills, the workflow
 * decides, vacuums and analyzes one table at a time under its lease, and a Load started while a
 * VACUUM runs plans nothing, then loads every row once afterwards; and once the time budget is
 * spent (the test moves Step Functions' clock past the deadline), the tables left are deferred.
 */
const resources = localWorkflowResources();
const BUCKET = LOCAL_RESOURCES.bucketName;
const ROLE = "arn:aws:iam::000000000000:role/freshet-local-workflows";
const ANNOUNCEMENTS = "freshet-local-MaintenanceAnnouncements";
const now = new Date();
const DAY = 86_400_000;

interface TableReport {
  table: string;
  decision: string;
  operations: string[];
  reason: { unsortedPct: number | null; statsOffPct: number; exceeded: string[] };
  outcome: string;
  deferredBecause: string | null;
  durationSeconds: number;
  before: { unsortedPct: number | null; statsOffPct: number; rows: number } | null;
  after: { unsortedPct: number | null; statsOffPct: number; rows: number } | null;
}
interface Report {
  maintained: number;
  deferred: number;
  failed: number;
  tables: TableReport[];
}
type Outcome = { status: string; output: Record<string, unknown> | null; error?: string; cause?: string };

let dataDir: string;
let endpoint: RunningEndpoint;
let services: LocalServices;
let s3: S3Client;
let sfn: SFNClient;
let redshift: RedshiftDataClient;
const machines: Record<string, string> = {};
const functions: Record<string, LambdaHandler> = {};
const written: WrittenLake[] = [];
/** The test's hold on a VACUUM's sort: a promise holds that VACUUM until it settles; undefined lets it commit. */
let duringVacuum: ((vacuum: HeldVacuum) => Promise<void> | undefined) | undefined;
/** Told of every object written to the embedded S3 (the lease too), before the write is answered. */
let onObjectCreated: ((key: string) => void) | undefined;
/**
 * Step Functions' time: real, plus a shift the test moves forward so that `$millis()` passes the
 * budget's deadline at a chosen point. Sleeps and timeouts stay real: only readers of the time see the jump.
 */
let clockShiftMs = 0;
const clock: Clock = { now: () => Date.now() + clockShiftMs, sleep: (ms, signal) => realClock.sleep(ms, signal) };

const rows = (sql: string): Promise<Cell[][]> =>
  query(redshift, { workgroup: resources.warehouseWorkgroupName, database: resources.warehouseDatabase }, sql, { firstPollMs: 5 });

async function run(workflow: string, input: Record<string, unknown>): Promise<Outcome> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machines[workflow], input: JSON.stringify(input) }));
  return (await services.stepFunctions.waitForExecution(executionArn as string)) as unknown as Outcome;
}

const runLoad = () => run("Load", { pollSeconds: 1, reconcile: true });
const runMaintenance = (input: Record<string, unknown> = {}) => run("Maintenance", { pollSeconds: 0, ...input });
const table = (report: Report, name: string) => report.tables.find((t) => t.table === name)!;

let reportsRead = 0;

/** The MaintenanceCompleted event of the run that just ended (EventBridge delivers to SNS after the execution's PutEvents). */
async function nextReport(): Promise<Report> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { alerts } = await readAlerts(services.sns.snsDir, { topics: [ANNOUNCEMENTS] });
    if (alerts.length > reportsRead) {
      reportsRead = alerts.length;
      const event = JSON.parse(alerts.at(-1)!.message) as { "detail-type": string; detail: Report };
      expect(event["detail-type"]).toBe(MAINTENANCE_COMPLETED_DETAIL_TYPE);
      return event.detail;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no MaintenanceCompleted event delivered");
}

async function unsortedOfEvents(): Promise<number> {
  const [[unsorted]] = (await rows(`SELECT CAST(unsorted AS FLOAT8) FROM svv_table_info WHERE "table" = 'events'`)) as [[number]];
  return unsorted;
}

async function expectExactlyOnce(): Promise<void> {
  const ids = new Set(written.flatMap((w) => [...w.eventIds]));
  expect(await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[ids.size, ids.size]]);
}

async function listed(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-maintenance-workflow-"));
  let url = "";
  services = createLocalServices({
    dataDir,
    endpointUrl: () => url,
    functions,
    onObjectCreated: (_bucket, key) => onObjectCreated?.(key),
    log: () => undefined,
    clock,
    faults: {
      redshift: {
        duringVacuumSort: (vacuum) => duringVacuum?.(vacuum),
      },
    },
  });
  endpoint = await startEndpoint({ services: services.list });
  url = endpoint.url;
  let migrate: () => Promise<unknown>;
  ({ s3, sfn, redshift, migrate } = await provisionWarehouseWorkflows(url, resources, functions, {
    rule: "MaintenanceCompleted",
    source: MAINTENANCE_COMPLETED_SOURCE,
    detailType: MAINTENANCE_COMPLETED_DETAIL_TYPE,
    topic: ANNOUNCEMENTS,
  }));
  for (const workflow of [Load, Maintenance]) {
    const created = await sfn.send(
      new CreateStateMachineCommand({ name: `freshet-local-${workflow.name}`, definition: JSON.stringify(workflow.definition(resources)), roleArn: ROLE }),
    );
    machines[workflow.name] = created.stateMachineArn!;
  }
  await migrate();
  // Out-of-order loads: today's events, then yesterday's, appended after them.
  written.push(await writeGeneratedLake(s3, BUCKET, { count: 800, now, seed: 21, batchSize: 400 }));
  expect((await runLoad()).status).toBe("SUCCEEDED");
  written.push(await writeGeneratedLake(s3, BUCKET, { count: 800, now: new Date(now.getTime() - DAY), seed: 22, batchSize: 400, shardId: "shardId-000000000002" }));
  expect((await runLoad()).status).toBe("SUCCEEDED");
  await expectExactlyOnce();
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  s3?.destroy();
  sfn?.destroy();
  redshift?.destroy();
  await services?.stepFunctions.close();
  await endpoint?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("Maintenance workflow on the embedded endpoint", () => {
  it("defers a table while a load stays in flight past loadWaitSeconds, and gives the lease back", async () => {
    const claim = `${LOAD_CLAIMS_PREFIX}load-test.running.json`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: claim, Body: JSON.stringify({ loadId: "load-test", objects: [], receipts: [] }) }));
    try {
      const outcome = await runMaintenance({ loadWaitSeconds: 0 });
      expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
      const report = await nextReport();
      const events = table(report, "events");
      expect(events).toMatchObject({ decision: "vacuum-sort", outcome: "deferred", deferredBecause: "loads-in-flight" });
      expect(report.maintained).toBe(0);
      expect(report.deferred).toBe(report.tables.filter((t) => t.decision !== "none").length);
      expect(events.after!.unsortedPct).toBe(events.before!.unsortedPct);
      expect(await listed(MAINTENANCE_LEASE_KEY)).toEqual([]);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: claim }));
    }
  });

  it("analyzes a table whose rows all changed since any ANALYZE; its thresholds come from the input (unsorted out of reach: no VACUUM)", async () => {
    const unsortedBefore = await unsortedOfEvents();
    const outcome = await runMaintenance({ thresholds: { minUnsortedPct: 99.99, maxUnsortedPct: 99.995, deletedPct: 99.99 } });
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    const report = await nextReport();
    expect(outcome.output).toMatchObject({ maintained: report.maintained, deferred: 0, failed: 0 });
    const events = table(report, "events");
    expect(events).toMatchObject({ decision: "analyze", outcome: "done", operations: ["ANALYZE events PREDICATE COLUMNS"] });
    expect(events.reason.exceeded).toEqual(["stats_off"]);
    expect(events.reason.statsOffPct).toBeGreaterThan(10);
    expect(events.after!.statsOffPct).toBe(0);
    // Unsorted as it was: with the default thresholds the same table is sorted (next test).
    expect(events.reason.unsortedPct).toBe(unsortedBefore);
    expect(unsortedBefore).toBeGreaterThan(5);
    expect(await unsortedOfEvents()).toBe(unsortedBefore);
  });

  it("sorts the table out-of-order loads left unsorted (VACUUM SORT ONLY, unsorted 0 after), while a Load started mid-VACUUM plans nothing and loads every row once afterwards", async () => {
    const unsortedBefore = await unsortedOfEvents();
    expect(unsortedBefore).toBeGreaterThan(5);
    // More events in the lake: a Load started while the VACUUM runs must leave them for later.
    written.push(await writeGeneratedLake(s3, BUCKET, { count: 300, now, seed: 23, batchSize: 300, shardId: "shardId-000000000003" }));
    let midLoad: Outcome | undefined;
    let leaseDuringVacuum: string[] = [];
    // Hold the VACUUM of events while a Load runs from start to end (other tables' vacuums pass).
    duringVacuum = (vacuum) => {
      if (vacuum.table !== "events") return undefined;
      duringVacuum = undefined;
      return (async () => {
        leaseDuringVacuum = await listed(MAINTENANCE_LEASE_KEY);
        midLoad = await runLoad();
      })();
    };

    const outcome = await runMaintenance();
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    const report = await nextReport();
    expect(outcome.output).toMatchObject({ maintained: report.maintained, failed: 0, deferred: 0 });

    const events = table(report, "events");
    expect(events).toMatchObject({ decision: "vacuum-sort", outcome: "done" });
    expect(events.operations[0]).toBe("VACUUM SORT ONLY events TO 100 PERCENT");
    expect(events.reason.exceeded).toContain("unsorted");
    expect(events.before!.unsortedPct).toBeCloseTo(unsortedBefore, 1);
    expect(events.after!.unsortedPct).toBe(0);
    expect(await unsortedOfEvents()).toBe(0);
    expect(events.after!.rows).toBe(events.before!.rows);

    // The Load started during the VACUUM saw the lease, planned nothing, and said why.
    expect(leaseDuringVacuum).toEqual([MAINTENANCE_LEASE_KEY]);
    expect(midLoad).toMatchObject({ status: "SUCCEEDED", output: { loaded: false, objects: 0, paused: "maintenance" } });
    // The lease is gone; the next Load loads what waited, every row once.
    expect(await listed(MAINTENANCE_LEASE_KEY)).toEqual([]);
    expect(await listed(LOAD_CLAIMS_PREFIX)).toEqual([]);
    expect(await runLoad()).toMatchObject({ status: "SUCCEEDED", output: { loaded: true } });
    await expectExactlyOnce();
  });

  it("leaves healthy tables alone: just maintained, nothing to do", async () => {
    // The Load after the last run changed events again: analyze it and sort what it appended first.
    await runMaintenance();
    await nextReport();
    const outcome = await runMaintenance();
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    const report = await nextReport();
    expect(report.tables.map((t) => [t.table, t.decision, t.outcome]).filter(([, d]) => d !== "none")).toEqual([]);
    expect(report.maintained).toBe(0);
    expect(outcome.output).toMatchObject({ tables: [] });
  });

  it("leaves the warehouse to a run already going (one run at a time)", async () => {
    let second: Outcome | undefined;
    duringVacuum = () => {
      duringVacuum = undefined;
      return (async () => {
        second = await runMaintenance();
      })();
    };
    written.push(await writeGeneratedLake(s3, BUCKET, { count: 200, now: new Date(now.getTime() - 2 * DAY), seed: 24, batchSize: 200, shardId: "shardId-000000000004" }));
    expect((await runLoad()).status).toBe("SUCCEEDED");
    const first = await runMaintenance();
    expect(first.status, JSON.stringify(first)).toBe("SUCCEEDED");
    expect(second, JSON.stringify(second)).toMatchObject({ status: "SUCCEEDED", output: { skipped: "another Maintenance execution is running", tables: [] } });
    await expectExactlyOnce();
  });

  it("defers the tables its time budget did not reach and reports them so, after maintaining those it reached", async () => {
    written.push(await writeGeneratedLake(s3, BUCKET, { count: 200, now: new Date(now.getTime() - 3 * DAY), seed: 25, batchSize: 200, shardId: "shardId-000000000005" }));
    expect((await runLoad()).status).toBe("SUCCEEDED");
    // Time passes the deadline while the first table holds the lease: every later table is out of budget.
    const budgetMinutes = 1;
    let leases = 0;
    onObjectCreated = (key) => {
      if (key === MAINTENANCE_LEASE_KEY && ++leases === 1) clockShiftMs += budgetMinutes * 60_000;
    };
    let outcome: Outcome;
    try {
      // statsOffPct 0: every table the Load changed is due, so several tables queue behind the first.
      outcome = await runMaintenance({ budgetMinutes, thresholds: { statsOffPct: 0 } });
    } finally {
      onObjectCreated = undefined;
      clockShiftMs = 0;
    }
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    const report = await nextReport();
    expect(outcome.output).toMatchObject({ budgetMinutes, maintained: report.maintained, deferred: report.deferred, failed: 0 });
    // The output leaves out tables with nothing to do (an empty one); the event lists every table.
    expect(report.tables.filter((t) => t.outcome !== "none")).toEqual((outcome.output as unknown as Report).tables);

    // Smallest first: the first table was reached within the budget and maintained under its lease.
    const [first, ...rest] = report.tables.filter((t) => t.decision !== "none");
    expect(first).toMatchObject({ outcome: "done", deferredBecause: null });
    expect(first!.after!.statsOffPct).toBe(0);
    expect(report.maintained).toBe(1);
    // Every table after it was deferred for the budget, untouched, and never took the lease.
    expect(rest.length).toBeGreaterThan(1);
    for (const t of rest) {
      expect(t, t.table).toMatchObject({ outcome: "deferred", deferredBecause: "budget", durationSeconds: 0 });
      expect(t.after, t.table).toEqual(t.before);
    }
    expect(report.deferred).toBe(rest.length);
    expect(leases).toBe(1);
    expect(await listed(MAINTENANCE_LEASE_KEY)).toEqual([]);
  });

  it("refuses settings core would refuse, naming them", async () => {
    const outcome = await runMaintenance({ thresholds: { minUnsortedPct: 60, maxUnsortedPct: 50 } });
    expect(outcome).toMatchObject({ status: "FAILED", error: "Freshet.InvalidMaintenanceSettings" });
    expect(outcome.cause).toContain("maxUnsortedPct");
  });
});
