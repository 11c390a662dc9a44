import { BatchExecuteStatementCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LOAD_INCIDENT_KEYS } from "@freshet/core";
import { LOAD_COMPLETED_DETAIL_TYPE, LOAD_COMPLETED_SOURCE, Load } from "@freshet/workflows";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { query, type Cell } from "../../../functions/src/load/data-api.ts";
import { localWorkflowResources } from "../../src/deploy/index.ts";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { lambdaContext } from "../../src/lambda/context.ts";
import { LOCAL_RESOURCES } from "../../src/platform/links.ts";
import { createLocalServices, type LocalServices } from "../../src/platform/local-services.ts";
import type { LambdaHandler } from "../../src/sfn/index.ts";
import { readAlerts } from "../../src/sns/index.ts";
import { provisionWarehouseWorkflows } from "./workflow-endpoint.ts";
import { writeGeneratedLake, type WrittenLake } from "./lake-writer.ts";

/**
 * The Load workflow end to end on one embedded endpoint: the platform's services (S3, Step
 * Functions, EventBridge, SNS, the Redshift Data API on DuckDB), the real planner and migrate
 * handlers in the Lambda registry, the real definition. Processed objects come from core's
 * `planBatch` over generated traffic.
 */
const resources = localWorkflowResources();
const BUCKET = LOCAL_RESOURCES.bucketName;
const ROLE = "arn:aws:iam::000000000000:role/freshet-local-workflows";
const ANNOUNCEMENTS = "freshet-local-LoadAnnouncements";
const now = new Date();

let dataDir: string;
let endpoint: RunningEndpoint;
let services: LocalServices;
let s3: S3Client;
let sfn: SFNClient;
let redshift: RedshiftDataClient;
let stateMachineArn: string;
const functions: Record<string, LambdaHandler> = {};
const written: WrittenLake[] = [];
let alertsBefore = 0;
let copyAlert = "";

const rows = (sql: string): Promise<Cell[][]> =>
  query(redshift, { workgroup: resources.warehouseWorkgroupName, database: resources.warehouseDatabase }, sql, { firstPollMs: 5 });

async function runLoad(input: Record<string, unknown> = {}): Promise<{ status: string; output: Record<string, unknown> | null; error?: string; cause?: string }> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ pollSeconds: 1, ...input }) }));
  const outcome = await services.stepFunctions.waitForExecution(executionArn as string);
  return outcome as unknown as { status: string; output: Record<string, unknown> | null; error?: string; cause?: string };
}

async function expectExactlyOnce(): Promise<void> {
  const ids = new Set(written.flatMap((w) => [...w.eventIds]));
  expect(await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[ids.size, ids.size]]);
  const keys = written.flatMap((w) => w.processedKeys).sort();
  expect((await rows("SELECT object_key FROM load_ledger ORDER BY object_key")).map((r) => r[0])).toEqual(keys);
}

/** In-flight load claims left in the lake: a finished execution, loaded or failed, leaves none. */
async function claims(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "manifests/in-flight/" }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

async function messages(topic: string): Promise<string[]> {
  const { alerts } = await readAlerts(services.sns.snsDir, { topics: [topic] });
  return alerts.map((a) => a.message);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-load-workflow-"));
  let url = "";
  services = createLocalServices({ dataDir, endpointUrl: () => url, functions, onObjectCreated: () => undefined, log: () => undefined });
  endpoint = await startEndpoint({ services: services.list });
  url = endpoint.url;
  let migrate: () => Promise<unknown>;
  ({ s3, sfn, redshift, migrate } = await provisionWarehouseWorkflows(url, resources, functions, {
    rule: "LoadCompleted",
    source: LOAD_COMPLETED_SOURCE,
    detailType: LOAD_COMPLETED_DETAIL_TYPE,
    topic: ANNOUNCEMENTS,
  }));
  ({ stateMachineArn } = (await sfn.send(
    new CreateStateMachineCommand({ name: "freshet-local-Load", definition: JSON.stringify(Load.definition(resources)), roleArn: ROLE }),
  )) as { stateMachineArn: string });
  // What the platform does at start (and AWS on deploy): bring the schema up to date.
  await migrate();
  written.push(await writeGeneratedLake(s3, BUCKET, { count: 4000, now, seed: 11, batchSize: 400 }));
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

describe("Load workflow on the embedded endpoint", () => {
  it("loads every processed event exactly once, records the ledger and accounting, announces LoadCompleted", async () => {
    const outcome = await runLoad();
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    expect(outcome.output).toMatchObject({ loaded: true, objects: written[0]!.processedKeys.length });
    await expectExactlyOnce();
    const [lake] = written;
    const sums = (await rows("SELECT SUM(received), SUM(filtered), SUM(dead_lettered), SUM(loaded) FROM event_accounting"))[0]!.map(Number);
    expect(sums).toEqual([lake!.totals.received, lake!.totals.filtered, lake!.totals.dead_lettered, lake!.eventIds.size]);
    const announced = (await messages(ANNOUNCEMENTS)).map((m) => JSON.parse(m) as { "detail-type": string; detail: Record<string, unknown> });
    expect(announced).toHaveLength(1);
    expect(announced[0]!["detail-type"]).toBe(LOAD_COMPLETED_DETAIL_TYPE);
    expect(announced[0]!.detail).toMatchObject({ rows: lake!.eventIds.size, status: "loaded", objects: lake!.processedKeys.length });
    expect(announced[0]!.detail.manifest).toMatch(new RegExp(`^s3://${BUCKET}/manifests/load-[0-9a-f]{32}\\.json$`));
    expect(typeof announced[0]!.detail.lagSeconds).toBe("number");
    expect(await claims()).toEqual([]);
  });

  it("has nothing to do on the next run and adds nothing", async () => {
    const outcome = await runLoad();
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { loaded: false, objects: 0 } });
    await expectExactlyOnce();
  });

  it("loads the same manifest twice without duplicates, and two executions at once load each object once", async () => {
    written.push(await writeGeneratedLake(s3, BUCKET, { count: 1000, now, seed: 12, batchSize: 250, shardId: "shardId-000000000001" }));
    const plan = (await functions[resources.loadPlannerFunctionName]!({}, lambdaContext({ name: "planner", memoryMb: 512, timeoutMs: 60_000 }))) as { sqls: string[] };
    const config = { WorkgroupName: resources.warehouseWorkgroupName, Database: resources.warehouseDatabase };
    for (let i = 0; i < 2; i++) {
      const { Id } = await redshift.send(new BatchExecuteStatementCommand({ ...config, Sqls: plan.sqls }));
      expect(Id).toBeTruthy();
      for (let s = ""; s !== "FINISHED"; ) {
        s = (await rows("SELECT 1").then(() => services.list)) ? await statusOf(Id as string) : "";
        if (s === "FAILED" || s === "ABORTED") throw new Error(`batch ${s}`);
      }
    }
    await expectExactlyOnce();
    expect((await rows("SELECT status FROM loads ORDER BY finished_at DESC LIMIT 2")).map((r) => r[0]).sort()).toEqual(["loaded", "superseded"]);

    written.push(await writeGeneratedLake(s3, BUCKET, { count: 1000, now, seed: 13, batchSize: 250, shardId: "shardId-000000000002" }));
    const claimedBefore = await claims();
    const [a, b] = await Promise.all([runLoad(), runLoad()]);
    // Either the second plans after the first claimed (nothing left, or other objects), or both
    // plan the same load at once and the second waits on LOCK load_lock and is superseded, or
    // (a busy machine) both write their claims before either looks and both withdraw: objects
    // loaded late by the next run, never twice (claims.ts). So: the next runs finish the work.
    expect([a.status, b.status]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    for (let n = 0; n < 5 && (await runLoad()).output?.loaded === true; n++);
    await expectExactlyOnce();
    expect(await claims()).toEqual(claimedBefore);
    expect((await runLoad()).output).toMatchObject({ loaded: false });
    alertsBefore = (await messages("freshet-local-OpsAlerts")).length;
  });

  it("alerts OpsAlerts once with the load errors of a malformed file (during an open outage too), loses nothing, loads the rest once it is removed and sends one recovery notice", async () => {
    const hour = now.toISOString().slice(11, 13);
    const day = now.toISOString().slice(0, 10);
    const badKey = `processed/dt=${day}/hr=${hour}/bad-batch.ndjson.gz`;
    const good = JSON.stringify({ event_id: "bad-file-ok", event_type: "signup", occurred_at: now.toISOString() });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: badKey, Body: gzipSync(`${good}\n{not json\n`) }));
    const receiptKey = `receipts/dt=${day}/hr=${hour}/bad-batch.json`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: receiptKey, Body: JSON.stringify({ batch_id: "bad-batch", windows: [] }) }));
    written.push(await writeGeneratedLake(s3, BUCKET, { count: 600, now, seed: 14, batchSize: 300, shardId: "shardId-000000000003" }));
    const before = await rows("SELECT COUNT(*) FROM events");

    // An outage incident already open (alerted by an earlier run): a rejected file is another
    // incident, with another remedy, so it alerts all the same.
    const openedAt = new Date(Date.now() - 30 * 60_000).toISOString();
    const outage = { kind: "outage", openedAt, step: "Copy", error: "RedshiftData.InternalServerException" };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: LOAD_INCIDENT_KEYS.outage, Body: JSON.stringify(outage), IfNoneMatch: "*" }));

    const claimsBefore = await claims();
    const failed = await runLoad();
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("Freshet.LoadFailed");
    const alerts = (await messages("freshet-local-OpsAlerts")).slice(alertsBefore);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain("failed at Copy");
    expect(alerts[0]).toContain("Incident: rejected file.");
    copyAlert = alerts[0] ?? "";
    expect(await rows("SELECT COUNT(*) FROM events")).toEqual(before);
    // The failed load released its claim: the next run retries its objects at once.
    expect(await claims()).toEqual(claimsBefore);
    // The next run fails the same way: the incident is open, OpsAlerts is not told again.
    expect((await runLoad()).status).toBe("FAILED");
    expect((await messages("freshet-local-OpsAlerts")).slice(alertsBefore)).toHaveLength(1);

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: badKey }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: receiptKey }));
    expect((await runLoad()).status).toBe("SUCCEEDED");
    await expectExactlyOnce();
    // One recovery notice closes both incidents; their markers are gone.
    const [, recovery, ...more] = (await messages("freshet-local-OpsAlerts")).slice(alertsBefore);
    expect(more).toEqual([]);
    expect(recovery).toMatch(/^Warehouse loads recovered after 3[0-9] min; /);
    expect(recovery).toContain(`outage since ${openedAt}`);
    expect(recovery).toContain("rejected since");
    for (const key of Object.values(LOAD_INCIDENT_KEYS)) await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toThrow(NoSuchKey);
  });

  it("names the malformed file's rows in the alert", () => {
    expect(copyAlert).toContain("Load errors: s3://");
    expect(copyAlert).toMatch(/bad-batch\.ndjson\.gz line 2/);
  });
});

async function statusOf(id: string): Promise<string> {
  const { DescribeStatementCommand } = await import("@aws-sdk/client-redshift-data");
  await new Promise((r) => setTimeout(r, 5));
  return (await redshift.send(new DescribeStatementCommand({ Id: id }))).Status ?? "";
}
