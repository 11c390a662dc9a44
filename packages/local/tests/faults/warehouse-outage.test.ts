import { BatchExecuteStatementCommand } from "@aws-sdk/client-redshift-data";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey } from "@aws-sdk/client-s3";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LOAD_CLAIMS_PREFIX, LOAD_INCIDENT_KEYS } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchIdOfKey } from "../../../functions/src/load/manifest.ts";
import { FaultSwitch, SwitchableClock } from "../../src/faults/index.ts";
import { LOCAL_RESOURCES } from "../../src/platform/links.ts";
import { readAlerts } from "../../src/sns/index.ts";
import { FaultPipeline, type LoadOutcome } from "./harness.ts";

/**
 * The warehouse unavailable for six hours (virtual time): every Data API call fails. The
 * transformer keeps writing the lake, scheduled Loads fail, OpsAlerts hears once; when the
 * warehouse returns, one recovery notice, the backlog drains oldest first, and nothing is stuck
 * (claims, `load_lock`, incident markers), lost or duplicated.
 */
const HOUR_MS = 3_600_000;
const BUCKET = LOCAL_RESOURCES.bucketName;
const clock = new SwitchableClock();
const faults = new FaultSwitch({ clock });
let pipeline: FaultPipeline;

beforeAll(async () => {
  pipeline = await FaultPipeline.start({ faults: faults.local });
}, 60_000);

afterAll(async () => {
  faults.clear();
  clock.relax();
  await pipeline?.stop();
});

type Alert = { subject: string; message: string };

async function opsAlerts(): Promise<Alert[]> {
  const { alerts } = await readAlerts(pipeline.platform.services.sns.snsDir, { topics: ["OpsAlerts"] });
  return alerts.map((a) => ({ subject: a.subject ?? "", message: a.message }));
}

const failedAlerts = (alerts: Alert[]) => alerts.filter((a) => a.subject.startsWith("Freshet: warehouse load failed"));
const recoveryNotices = (alerts: Alert[]) => alerts.filter((a) => a.subject === "Freshet: warehouse loads recovered");

async function keys(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await pipeline.clients.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    found.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found.sort();
}

async function markerExists(key: string): Promise<boolean> {
  try {
    await pipeline.clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if (error instanceof NoSuchKey) return false;
    throw error;
  }
}

/** A scheduled Load's run (receipts only), taking at most `maxObjects`, to its end. */
async function load(maxObjects: number): Promise<LoadOutcome> {
  const arn = pipeline.platform.workflows.workflows.find((w) => w.name === "Load")?.stateMachineArn;
  const input = JSON.stringify({ pollSeconds: 1, reconcile: false, maxObjects });
  const { executionArn } = await pipeline.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input }));
  return (await pipeline.platform.services.stepFunctions.waitForExecution(executionArn as string)) as unknown as LoadOutcome;
}

describe("the warehouse unavailable for six hours", () => {
  it("alerts once, keeps the lake as the buffer, recovers once and drains the backlog oldest first", async () => {
    // Before: a working pipeline, nothing pending, no incident.
    await pipeline.ingest(200, 700);
    expect((await pipeline.loadUntilIdle()).at(-1)?.output?.loaded).toBe(false);
    const alertsBefore = (await opsAlerts()).length;
    const processedBefore = await keys("processed/");

    // The outage: from now on every Data API call fails, for six hours of virtual time.
    clock.hurry();
    const outageEnds = clock.now() + 6 * HOUR_MS;
    let refused = 0;
    faults.use({
      dataApi: {
        beforeCall: () => {
          if (clock.now() >= outageEnds) return undefined;
          refused += 1;
          return Promise.reject(new Error("injected: the warehouse is unavailable"));
        },
      },
    });

    // Hourly traffic and a failing Load each hour (a scheduled run every 5 minutes would fail alike).
    const failed: LoadOutcome[] = [];
    for (let hour = 0; hour < 6; hour++) {
      const before = (await keys("processed/")).length;
      await pipeline.ingest(40, 710 + hour);
      expect((await keys("processed/")).length).toBeGreaterThan(before); // the transformer kept writing the lake
      failed.push(await load(200));
      clock.advance(HOUR_MS);
    }
    expect(failed.map((o) => o.status)).toEqual(Array(6).fill("FAILED"));
    expect(refused).toBeGreaterThanOrEqual(6);
    expect(await markerExists(LOAD_INCIDENT_KEYS.outage)).toBe(true);
    expect(await keys(LOAD_CLAIMS_PREFIX)).toEqual([]); // every failed run released its claim
    const during = (await opsAlerts()).slice(alertsBefore);
    expect(failedAlerts(during)).toHaveLength(1);
    expect(failedAlerts(during)[0]!.message).toContain("Incident: outage.");
    expect(recoveryNotices(during)).toEqual([]);

    // The warehouse returns (6 h 2 min after the first failure, give or take the retries' seconds).
    clock.advance(2 * 60_000);
    expect(clock.now()).toBeGreaterThanOrEqual(outageEnds);
    // Real time again (keeping the six hours' lead): a COPY's polls must not outrun the COPY.
    clock.relax();
    const refusedDuringOutage = refused;
    const backlog = (await keys("processed/")).filter((k) => !processedBefore.includes(k));
    expect(backlog.length).toBeGreaterThan(0);

    // Drain: small loads (8 objects), so the order is visible; the first one closes the incident.
    const drained: LoadOutcome[] = [];
    for (let i = 0; i < 20 && drained.at(-1)?.output?.loaded !== false; i++) drained.push(await load(8));
    expect(drained.at(-1)?.output?.loaded).toBe(false);
    expect(drained.slice(0, -1).map((o) => o.status)).toEqual(Array(drained.length - 1).fill("SUCCEEDED"));
    expect(drained.length).toBeGreaterThan(2);
    expect(refused).toBe(refusedDuringOutage); // the fault is over: no call refused since

    const after = (await opsAlerts()).slice(alertsBefore);
    expect(failedAlerts(after)).toHaveLength(1);
    const recoveries = recoveryNotices(after);
    expect(recoveries).toHaveLength(1);
    // The first drain load planned 8 objects; the planner counts the backlog as far as it read receipts.
    const [, counted] = /^Warehouse loads recovered after 6 h [0-9]+ min; at least ([0-9]+) objects backlog/.exec(recoveries[0]!.message) ?? [];
    expect(Number(counted)).toBeGreaterThan(8);
    expect(Number(counted)).toBeLessThanOrEqual(backlog.length);
    expect(recoveries[0]!.message).toContain("outage since");
    expect(await markerExists(LOAD_INCIDENT_KEYS.outage)).toBe(false);

    // Oldest first: the planner's age order is the receipts' key order (dt/hr/shard/sequence); each
    // load takes whole batches from the oldest pending one on (skipping those too big to fit), so
    // every drain load holds the oldest batch still pending when it ran.
    const receiptKeyOf = new Map((await keys("receipts/")).map((k) => [batchIdOfKey(k), k]));
    const backlogSet = new Set(backlog);
    const byLoad = new Map<string, Set<string>>();
    for (const [loadId, , key] of await pipeline.rows("SELECT load_id, loaded_at, object_key FROM load_ledger ORDER BY loaded_at, load_id")) {
      if (!backlogSet.has(String(key))) continue;
      const receipts = byLoad.get(String(loadId)) ?? new Set<string>();
      byLoad.set(String(loadId), receipts.add(receiptKeyOf.get(batchIdOfKey(String(key)))!));
    }
    const drainLoads = [...byLoad.values()].map((receipts) => [...receipts].sort());
    expect(drainLoads.length).toBe(drained.length - 1);
    const pending = new Set(backlog.map((k) => receiptKeyOf.get(batchIdOfKey(k))!));
    for (const receipts of drainLoads) {
      expect(receipts[0]).toBe([...pending].sort()[0]);
      for (const r of receipts) expect(pending.delete(r)).toBe(true);
    }
    expect(pending.size).toBe(0);

    // Nothing stuck: no claim, the lock takes at once, no incident marker.
    expect(await keys(LOAD_CLAIMS_PREFIX)).toEqual([]);
    const { Id } = await pipeline.clients.redshift.send(
      new BatchExecuteStatementCommand({ WorkgroupName: "freshet-local", Database: "freshet", Sqls: ["LOCK load_lock", "SELECT COUNT(*) FROM load_lock"] }),
    );
    expect(await pipeline.ended(Id!)).toBe("FINISHED");
    for (const key of Object.values(LOAD_INCIDENT_KEYS)) expect(await markerExists(key)).toBe(false);
    await pipeline.expectExactlyOnceAndBalanced();
  }, 120_000);
});
