import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FaultSwitch, SwitchableClock } from "../../src/faults/index.ts";
import { readAlerts } from "../../src/sns/index.ts";
import { FaultPipeline, isLoadBatch } from "./harness.ts";

/**
 * The Load against a warehouse that fails it: a COPY that committed while the workflow saw a
 * failure (its answer lost, its polls lost, its cancel too late), and statements that end
 * FINISHED, FAILED or ABORTED after the workflow gave up waiting. Each fault is driven by a hook
 * on one platform (faults switched per test); after each, scheduled Loads run until one finds
 * nothing, and every valid event is in `events` exactly once with the audit balanced.
 */
const clock = new SwitchableClock();
const faults = new FaultSwitch({ clock });
let pipeline: FaultPipeline;
let seed = 100;

beforeAll(async () => {
  pipeline = await FaultPipeline.start({ faults: faults.local });
}, 60_000);

afterEach(() => {
  faults.clear();
  clock.relax();
});

afterAll(async () => {
  await pipeline?.stop();
});

async function loadAlerts(): Promise<string[]> {
  const { alerts } = await readAlerts(pipeline.platform.services.sns.snsDir, { topics: ["OpsAlerts"] });
  return alerts.filter((a) => a.subject?.startsWith("Freshet: warehouse load failed")).map((a) => a.message);
}

/** Holds the first Load COPY batch before its commit until `release` or `fail` (or a cancel). */
function holdFirstCopy() {
  const held = Promise.withResolvers<string>();
  const commit = Promise.withResolvers<void>();
  let holding = false;
  return {
    held: held.promise,
    release: () => commit.resolve(),
    fail: (error: Error) => commit.reject(error),
    beforeCommit: (batch: { id: string; queryStrings: readonly string[] }) => {
      if (holding || !batch.queryStrings.some((sql) => /^\s*COPY\b/i.test(sql))) return undefined;
      holding = true;
      held.resolve(batch.id);
      return commit.promise;
    },
  };
}

describe("a COPY that committed while the workflow saw a failure", () => {
  it("its BatchExecuteStatement answer lost after the commit: the SDK's retry finds the ledger and loads nothing twice", async () => {
    await pipeline.ingest(300, seed++);
    let copies = 0;
    let lostId: string | undefined;
    faults.use({
      dataApi: {
        beforeCall: (call) => {
          if (call.operation === "BatchExecuteStatement" && isLoadBatch(call.input)) copies += 1;
          return undefined;
        },
        loseAnswer: async (call, output) => {
          if (lostId || call.operation !== "BatchExecuteStatement" || !isLoadBatch(call.input) || typeof output?.Id !== "string") return false;
          lostId = output.Id;
          // Lost only once the batch has committed: the retry provably comes after the load.
          expect(await pipeline.ended(lostId)).toBe("FINISHED");
          return true;
        },
      },
    });
    const outcome = await pipeline.load();
    expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
    expect(copies).toBe(2); // the lost answer made the caller submit the same load again
    // The retry's transaction found the manifest's objects in the ledger: superseded, no rows.
    expect(outcome.output).toMatchObject({ loaded: true, summary: { status: "superseded", rows: 0 } });
    faults.clear();
    expect((await pipeline.loadUntilIdle()).map((o) => o.output?.loaded)).toEqual([false]);
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);

  it("every DescribeStatement answer lost after the commit: the Load fails and alerts, the next run finds the ledger", async () => {
    await pipeline.ingest(300, seed++);
    let copyId: string | undefined;
    let lost = 0;
    faults.use({
      dataApi: {
        loseAnswer: (call, output) => {
          if (call.operation === "BatchExecuteStatement" && isLoadBatch(call.input) && typeof output?.Id === "string") copyId = output.Id;
          const lose = call.operation === "DescribeStatement" && call.input.Id === copyId && output?.Status === "FINISHED";
          if (!lose) return false;
          // Virtual time from here on (never while the COPY runs, which could then outlast its polls):
          // the task's retries of DescribeStatement (TRANSIENT: States.TaskFailed) back off at once.
          clock.hurry();
          lost += 1;
          return true;
        },
      },
    });
    const alertsBefore = (await loadAlerts()).length;
    const outcome = await pipeline.load();
    clock.relax();
    expect(outcome.status, JSON.stringify(outcome)).toBe("FAILED");
    expect(outcome.cause).toMatch(/^DescribeStatement: RedshiftData\./);
    expect(lost).toBeGreaterThan(1); // the SDK and the task retried it
    faults.clear();
    expect(await pipeline.ended(copyId!)).toBe("FINISHED"); // it committed all the same
    expect((await loadAlerts()).slice(alertsBefore)).toEqual([expect.stringContaining("failed at DescribeStatement")]);
    expect((await pipeline.loadUntilIdle()).map((o) => o.output?.loaded)).toEqual([false]);
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);
});

describe("a COPY statement that ends after the workflow gave up waiting (360 polls, on virtual time)", () => {
  it("FINISHED: it commits just before the cancel, which fails; the Load alerts and the next run finds the ledger", async () => {
    await pipeline.ingest(300, seed++);
    const hold = holdFirstCopy();
    let cancelled = "";
    faults.use({
      redshift: { beforeCommit: hold.beforeCommit },
      dataApi: {
        beforeCall: (call) => {
          if (call.operation !== "CancelStatement") return undefined;
          return (async () => {
            hold.release();
            cancelled = await pipeline.ended(await hold.held);
          })();
        },
      },
    });
    clock.hurry();
    const outcome = await pipeline.load();
    clock.relax();
    expect(cancelled).toBe("FINISHED");
    expect(outcome.status, JSON.stringify(outcome)).toBe("FAILED");
    expect(outcome.cause).toMatch(/^CancelCopy: RedshiftData\.ValidationException/);
    faults.clear();
    expect((await pipeline.loadUntilIdle()).map((o) => o.output?.loaded)).toEqual([false]);
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);

  it("ABORTED: the workflow's cancel rolls it back; the Load alerts a timeout and the next run loads it once", async () => {
    await pipeline.ingest(300, seed++);
    const hold = holdFirstCopy();
    faults.use({ redshift: { beforeCommit: hold.beforeCommit } });
    clock.hurry();
    const outcome = await pipeline.load();
    clock.relax();
    expect(outcome.status, JSON.stringify(outcome)).toBe("FAILED");
    expect(outcome.cause).toMatch(/^Copy: Freshet\.LoadTimedOut: COPY statement .* was still STARTED after 360 s and was cancelled/);
    expect(await pipeline.ended(await hold.held)).toBe("ABORTED");
    faults.clear();
    expect((await pipeline.loadUntilIdle()).map((o) => o.output?.loaded)).toEqual([true, false]);
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);

  it("FAILED: it fails and rolls back just before the cancel, which fails; the next run loads it once", async () => {
    await pipeline.ingest(300, seed++);
    const hold = holdFirstCopy();
    let cancelled = "";
    faults.use({
      redshift: { beforeCommit: hold.beforeCommit },
      dataApi: {
        beforeCall: (call) => {
          if (call.operation !== "CancelStatement") return undefined;
          return (async () => {
            hold.fail(new Error("injected: the warehouse ran out of disk"));
            cancelled = await pipeline.ended(await hold.held);
          })();
        },
      },
    });
    clock.hurry();
    const outcome = await pipeline.load();
    clock.relax();
    expect(cancelled).toBe("FAILED");
    expect(outcome.status, JSON.stringify(outcome)).toBe("FAILED");
    expect(outcome.cause).toMatch(/^CancelCopy: RedshiftData\.ValidationException/);
    faults.clear();
    expect((await pipeline.loadUntilIdle()).map((o) => o.output?.loaded)).toEqual([true, false]);
    await pipeline.expectExactlyOnceAndBalanced();
  }, 60_000);
});
