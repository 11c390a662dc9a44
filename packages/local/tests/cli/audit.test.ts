import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/commands/audit.ts";
import { DASHBOARD_EVENTS, batchRef, planLoad, writeBatch } from "../warehouse-sql/fixture-lake.ts";
import { startWarehouse, type Warehouse } from "../warehouse-sql/warehouse.ts";

/** Runs `freshet audit …` and returns its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

interface AuditJson {
  windows: { window_start: string; received: number; processed: number; filtered: number; dead_lettered: number; loaded: number; duplicates: number; in_flight: number; redriven: number; repaired: number; status: string }[];
  totals: Record<string, number>;
  balanced: boolean;
}

describe("freshet audit", () => {
  let w: Warehouse;

  beforeAll(async () => {
    w = await startWarehouse();
    await w.migrate();
    // Batch A loads whole; batch B's receipt is counted but only its 06:00 object is loaded: the
    // 2026-11-27 events are still in flight (the planner bounded the load).
    const a = await writeBatch(w, {
      ref: batchRef(1, 16, "2026-11-26T05:01:02.000Z"),
      events: DASHBOARD_EVENTS.slice(0, 16),
      rejected: [{ window: "2026-11-26T05", fate: "filtered" }, { window: "2026-11-26T05", fate: "dead_lettered" }],
    });
    const b = await writeBatch(w, { ref: batchRef(17, 30, "2026-11-26T06:00:02.000Z"), events: DASHBOARD_EVENTS.slice(16) });
    const partial = { ...b, objects: b.objects.filter((o) => o.key.includes("dt=2026-11-26/")) };
    const out = await w.batch(await planLoad(w, "audit-load-1", [a, partial], "2026-11-27T10:15:00.000Z"));
    if (out.Status !== "FINISHED") throw new Error(`load ${out.Status}: ${out.Error}`);
    // As an operator's shell pointing at a running `npm start` would be.
    const env = {
      AWS_ENDPOINT_URL: w.endpoint.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      FRESHET_WORKGROUP: "freshet",
      FRESHET_DATABASE: "dev",
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await w?.dispose();
  });

  it("prints each arrival hour with its counts and status, and a totals line", async () => {
    const { code, out, err } = await cli();
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^window \(UTC\)\s+received\s+redriven\s+loaded\s+repaired\s+duplicates\s+filtered\s+dead-lettered\s+in flight\s+status$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ["2026-11-26 05:00", "18", "0", "16", "0", "0", "1", "1", "0", "balanced"],
      ["2026-11-26 06:00", "7", "0", "7", "0", "0", "0", "0", "0", "balanced"],
      ["2026-11-27 09:00", "4", "0", "0", "0", "0", "0", "0", "4", "in_flight"],
      ["2026-11-27 10:00", "3", "0", "0", "0", "0", "0", "0", "3", "in_flight"],
      ["total (4 h)", "32", "0", "23", "0", "0", "1", "1", "7", "in_flight"],
    ]);
  });

  it("--json gives the windows and totals; every window balances once in-flight events are counted", async () => {
    const { code, out } = await cli("--json");
    expect(code).toBe(0);
    const audit = JSON.parse(out) as AuditJson;
    expect(audit.balanced).toBe(true);
    expect(audit.windows.map((x) => x.window_start)).toEqual(["2026-11-26T05:00:00.000Z", "2026-11-26T06:00:00.000Z", "2026-11-27T09:00:00.000Z", "2026-11-27T10:00:00.000Z"]);
    for (const x of audit.windows) expect(x.received + x.redriven).toBe(x.loaded + x.duplicates + x.filtered + x.dead_lettered + x.in_flight);
    expect(audit.totals).toEqual({ received: 32, processed: 30, filtered: 1, dead_lettered: 1, loaded: 23, duplicates: 0, in_flight: 7, redriven: 0, repaired: 0 });
  });

  it("--from/--to select hours in [from, to); a time without offset is UTC; flags override the environment", async () => {
    const { out } = await cli("--from", "2026-11-26T06", "--to", "2026-11-27T10:00", "--json", "--workgroup", "freshet", "--database", "dev");
    expect((JSON.parse(out) as AuditJson).windows.map((x) => x.window_start)).toEqual(["2026-11-26T06:00:00.000Z", "2026-11-27T09:00:00.000Z"]);
    const empty = await cli("--from", "2030-01-01");
    expect(empty.code).toBe(0);
    expect(empty.err).toMatch(/no accounting windows in the range/);
  });

  it("exits 1 when a window is out of balance", async () => {
    await w.sql("UPDATE event_accounting SET loaded = loaded + 5 WHERE window_start = CAST('2026-11-26 06:00:00' AS TIMESTAMP)");
    try {
      const { code, out } = await cli();
      expect(code).toBe(1);
      expect(out).toMatch(/2026-11-26 06:00 .* -5 +loaded_exceeds_processed/);
      expect(out).toMatch(/total \(4 h\).*OUT OF BALANCE/);
    } finally {
      await w.sql("UPDATE event_accounting SET loaded = loaded - 5 WHERE window_start = CAST('2026-11-26 06:00:00' AS TIMESTAMP)");
    }
  });

  it("reports a failed query (no migrations in that database) and usage errors", async () => {
    const failed = await cli("--database", "empty");
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/audit query FAILED: .*audit_balance/);
    const usage = await cli("--from", "yesterday");
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--from expects an ISO-8601 time/);
    expect((await cli("--from", "2026-11-27", "--to", "2026-11-26")).code).toBe(2);
  });
});
