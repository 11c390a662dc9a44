import { Load, LOAD_MAX_POLLS } from "@freshet/workflows";
import { describe, expect, it } from "vitest";
import { localWorkflowResources } from "../../src/deploy/index.ts";
import { VirtualClock, type HistoryEvent, type TaskInvocation } from "../../src/sfn/interpreter/index.ts";
import { details, run } from "../sfn/interpreter/harness.ts";

/**
 * How the Load workflow polls its statements, on a virtual clock with the Data API faked: the
 * first DescribeStatement a second after the submit, then waits doubling up to `pollSeconds`,
 * and a statement given up after `LOAD_MAX_POLLS` poll periods of time however the waits went.
 */
const definition = Load.definition(localWorkflowResources()) as unknown as Record<string, unknown>;

const PLAN = {
  loadId: "load-0123",
  manifestKey: "manifests/load-0123.json",
  claimKey: "manifests/in-flight/load-0123.direct.json",
  objects: 2,
  receipts: 1,
  sqls: ["SELECT 1", "SELECT 2"],
  loadErrorsSql: "SELECT 3",
};

interface Statement {
  /** Virtual milliseconds from its submit to its end; Infinity: never ends. */
  readonly runsMs: number;
  readonly ends?: "FINISHED" | "FAILED";
}

/** The Load's tasks: a plan, and statements that end `runsMs` of virtual time after their submit. */
function warehouse(clock: VirtualClock, statements: Record<"copy" | "errors", Statement>) {
  const submitted = new Map<string, number>();
  const submit = (id: string) => {
    submitted.set(id, clock.now());
    return { Id: id };
  };
  return async (invocation: TaskInvocation): Promise<unknown> => {
    const action = invocation.resource.split(":").at(-1);
    switch (action) {
      case "invoke":
        return { Payload: PLAN };
      case "batchExecuteStatement":
        return submit("copy");
      case "executeStatement":
        return submit("errors");
      case "describeStatement": {
        const id = (invocation.arguments as { Id: "copy" | "errors" }).Id;
        const { runsMs, ends = "FINISHED" } = statements[id];
        const done = clock.now() - submitted.get(id)! >= runsMs;
        return { Id: id, Status: done ? ends : "STARTED", ...(done && ends === "FAILED" ? { Error: "injected" } : {}), SubStatements: [] };
      }
      case "getStatementResult":
        return { Records: [] };
      case "putEvents":
        return { Entries: [{ EventId: "event-1" }] };
      default:
        return {};
    }
  };
}

async function load(pollSeconds: number, statements: Record<"copy" | "errors", Statement>) {
  const clock = new VirtualClock();
  const outcome = await run(definition, { pollSeconds }, { clock, invokeTask: warehouse(clock, statements) });
  const entered = (name: string) => outcome.of("TaskStateEntered").filter((e) => details(e).name === name);
  const exited = (name: string) => outcome.of("TaskStateExited").filter((e) => details(e).name === name);
  const seconds = (from: HistoryEvent, to: HistoryEvent) => (outcome.at(to) - outcome.at(from)) / 1000;
  return { outcome, entered, exited, seconds };
}

/** Seconds from `from` to each event, and between consecutive events. */
function gaps(seconds: (a: HistoryEvent, b: HistoryEvent) => number, from: HistoryEvent, events: readonly HistoryEvent[]): number[] {
  return events.map((e, i) => seconds(i === 0 ? from : events[i - 1]!, e));
}

describe("Load polling on virtual time", () => {
  it("asks about a short COPY a second after submitting it, not a whole poll period later", async () => {
    const { outcome, entered, exited, seconds } = await load(5, { copy: { runsMs: 700 }, errors: { runsMs: 0 } });
    expect(outcome.result.status).toBe("SUCCEEDED");
    expect(outcome.result.output).toMatchObject({ loaded: true, loadId: PLAN.loadId });
    const describes = entered("DescribeStatement");
    expect(describes).toHaveLength(1);
    expect(seconds(exited("Copy")[0]!, describes[0]!)).toBe(1);
  });

  it("backs off 1, 2, 4 s, then polls every pollSeconds", async () => {
    const { outcome, entered, exited, seconds } = await load(5, { copy: { runsMs: 20_000 }, errors: { runsMs: 0 } });
    expect(outcome.result.status).toBe("SUCCEEDED");
    expect(gaps(seconds, exited("Copy")[0]!, entered("DescribeStatement"))).toEqual([1, 2, 4, 5, 5, 5]);
  });

  it("gives a COPY up after LOAD_MAX_POLLS poll periods of time, cancels it and alerts", async () => {
    const { outcome, entered, exited, seconds } = await load(5, { copy: { runsMs: Number.POSITIVE_INFINITY }, errors: { runsMs: 0 } });
    expect(outcome.result.status).toBe("FAILED");
    expect(outcome.result.cause).toBe(`Copy: Freshet.LoadTimedOut: COPY statement copy was still STARTED after ${LOAD_MAX_POLLS * 5} s and was cancelled`);
    const cancelled = seconds(exited("Copy")[0]!, entered("CancelCopy")[0]!);
    expect(cancelled).toBeGreaterThanOrEqual(LOAD_MAX_POLLS * 5);
    expect(cancelled).toBeLessThan(LOAD_MAX_POLLS * 5 + 5);
    expect(entered("AlertLoadFailed")).toHaveLength(1);
  });

  it("starts the backoff again for the load-errors query after a failed COPY", async () => {
    const { outcome, entered, exited, seconds } = await load(5, { copy: { runsMs: 2_500, ends: "FAILED" }, errors: { runsMs: 1_500 } });
    expect(outcome.result.status).toBe("FAILED");
    expect(outcome.result.cause).toMatch(/^Copy: RedshiftData\.FAILED: injected/);
    const describes = entered("DescribeStatement");
    // The COPY at 1 and 3 s; the errors query 1 and 3 s after it was submitted.
    expect(gaps(seconds, exited("Copy")[0]!, describes.slice(0, 2))).toEqual([1, 2]);
    expect(gaps(seconds, exited("ReadLoadErrors")[0]!, describes.slice(2))).toEqual([1, 2]);
  });
});
