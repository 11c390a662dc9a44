import { describe, expect, it } from "vitest";
import { describeMaintenance, describeTriage, type FinishedExecution } from "../../src/platform/latest-outcomes.ts";

const at = new Date("2026-12-07T03:17:42Z");
const run = (output: unknown, status = "SUCCEEDED"): FinishedExecution => ({ status, stoppedAt: at, output });

describe("npm start's line for the newest Maintenance", () => {
  it("names the tables maintained and their decision, and what was deferred or failed", () => {
    const output = {
      maintained: 2,
      deferred: 1,
      failed: 0,
      tables: [
        { table: "events", decision: "vacuum-sort", outcome: "done" },
        { table: "loads", decision: "analyze", outcome: "done" },
        { table: "load_ledger", decision: "vacuum-delete", outcome: "deferred" },
        { table: "accounts", decision: "none", outcome: "none" },
      ],
    };
    expect(describeMaintenance(run(output))).toBe("maintenance 03:17: events vacuum-sort, loads analyze; 1 deferred");
  });

  it("says when every table was healthy, when the run was skipped, and when it failed", () => {
    expect(describeMaintenance(run({ maintained: 0, deferred: 0, failed: 0, tables: [{ table: "events", decision: "none", outcome: "none" }] }))).toBe(
      "maintenance 03:17: all tables healthy",
    );
    expect(describeMaintenance(run({ skipped: "another Maintenance execution is running", tables: [] }))).toBe("maintenance 03:17 skipped");
    expect(describeMaintenance(run(undefined, "FAILED"))).toBe("maintenance 03:17 FAILED");
  });
});

describe("npm start's line for the newest DeadLetterTriage", () => {
  it("counts letters, repaired and quarantined, and objects left", () => {
    expect(describeTriage(run({ letters: 40, repaired: 12, quarantined: 28, deferred: 3 }))).toBe("triage 03:17: 40 letters, 12 repaired, 28 quarantined, 3 objects left");
  });

  it("says when there was nothing to triage, and when it failed", () => {
    expect(describeTriage(run({ objects: 0, reasonFilter: null, dryRun: false }))).toBe("triage 03:17: nothing to triage");
    expect(describeTriage(run(undefined, "TIMED_OUT"))).toBe("triage 03:17 TIMED_OUT");
  });
});
