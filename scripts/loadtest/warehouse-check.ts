import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { setTimeout as sleep } from "node:timers/promises";
import { warehouseStatus } from "../../packages/local/src/platform/warehouse-status.ts";
import { WAREHOUSE, type Rows } from "../shared/pipeline-platform.ts";
import type { SeedRows } from "./reconcile.ts";
import type { AuditSummary } from "./report.ts";
import type { TrafficTotals } from "./traffic.ts";

const DRAIN_POLL_MS = 250;
const AUDIT_POLL_MS = 500;

/**
 * Polls until `events` has `expected` rows, or the deadline; resolves when (performance.now()) or
 * undefined. COUNT(*), not DISTINCT: cheap enough to poll without slowing the loads it waits for
 * on a small machine; `rowsBySeed` then tells duplicates from the events they stand for.
 */
export async function waitForRows(rows: Rows, expected: number, deadline: number, progress: (loaded: number) => void): Promise<number | undefined> {
  for (;;) {
    const loaded = Number((await rows("SELECT COUNT(*) FROM events"))[0]?.[0] ?? 0);
    if (loaded >= expected) return performance.now();
    progress(loaded);
    if (performance.now() > deadline) return undefined;
    await sleep(DRAIN_POLL_MS);
  }
}

/** Rows of `events` per generator seed: every generated valid id reads `v1|v2-<seed>-<i>`. */
export async function rowsBySeed(rows: Rows): Promise<SeedRows[]> {
  const found = await rows("SELECT split_part(event_id, '-', 2) AS seed, COUNT(*), COUNT(DISTINCT event_id) FROM events GROUP BY 1");
  return found.map(([seed, total, distinct]) => ({ seed: String(seed), rows: Number(total), distinct: Number(distinct) }));
}

/**
 * The audit as `freshet audit` reads it, once it has settled (receipts and the load's accounting
 * land with the last loads) or at the deadline, held to the oracle of the accepted events.
 */
export async function settledAudit(redshift: RedshiftDataClient, totals: TrafficTotals, deadline: number): Promise<AuditSummary> {
  const valid = [...totals.oracle.validBySeed.values()].reduce((n, v) => n + v, 0);
  const want = { received: totals.accepted, loaded: valid, duplicates: totals.oracle.processed - valid, filtered: totals.oracle.filtered, deadLettered: totals.oracle.deadLettered };
  for (;;) {
    const status = await warehouseStatus(redshift, WAREHOUSE.workgroup, WAREHOUSE.database);
    const summary: AuditSummary = {
      balanced: status.windows.every((w) => w.status === "balanced"),
      matchesOracle: false,
      windows: status.windows.length,
      received: status.received,
      loaded: status.loaded,
      duplicates: status.windows.reduce((n, w) => n + w.duplicates, 0),
      filtered: status.filtered,
      deadLettered: status.deadLettered,
      inFlight: status.inFlight,
    };
    const matches = (Object.keys(want) as (keyof typeof want)[]).every((k) => summary[k] === want[k]);
    if ((summary.balanced && matches) || performance.now() > deadline) return { ...summary, matchesOracle: matches };
    await sleep(AUDIT_POLL_MS);
  }
}
