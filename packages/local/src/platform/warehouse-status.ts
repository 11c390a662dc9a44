import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { buildAuditQuery, SELECT_METRIC_FRESHNESS } from "@freshet/core";
import { query } from "@freshet/functions/load/data-api";
import { queryAudit, type AuditWindow } from "../cli/commands/audit.ts";

export interface WarehouseStatus {
  readonly received: number;
  readonly loaded: number;
  readonly deadLettered: number;
  readonly filtered: number;
  readonly inFlight: number;
  /** Repaired dead letters triage put back on the stream, and those of them loaded. */
  readonly redriven: number;
  readonly repaired: number;
  readonly balanced: boolean;
  /** Age of the newest loaded event, seconds; undefined before the first load. */
  readonly freshnessSeconds?: number;
  readonly confidence?: number;
  /** The audit's windows (per arrival hour, oldest first) the totals above sum. */
  readonly windows: readonly AuditWindow[];
}

/**
 * What `npm start` prints about the warehouse, read the way an operator would: the audit
 * (`freshet audit`) and the `metric_freshness` view, through the Redshift Data API.
 */
export async function warehouseStatus(client: RedshiftDataClient, workgroup: string, database: string): Promise<WarehouseStatus> {
  const windows = await queryAudit(client, { WorkgroupName: workgroup, Database: database }, buildAuditQuery({}));
  const total = (pick: (w: (typeof windows)[number]) => number) => windows.reduce((n, w) => n + pick(w), 0);
  const freshness = await query(client, { workgroup, database }, SELECT_METRIC_FRESHNESS);
  // Columns: metric, newest_event_at, age_seconds, last_load_at, interval_seconds, in_flight_share, confidence.
  const loaded = freshness.filter((row) => row[1] !== null); // no newest event yet: nothing to age
  const ages = loaded.map((row) => Number(row[2])).filter((age) => Number.isFinite(age) && age >= 0);
  const best = loaded.find((row) => Number(row[2]) === Math.min(...ages));
  return {
    received: total((w) => w.received),
    loaded: total((w) => w.loaded),
    deadLettered: total((w) => w.dead_lettered),
    filtered: total((w) => w.filtered),
    inFlight: total((w) => w.in_flight),
    redriven: total((w) => w.redriven),
    repaired: total((w) => w.repaired),
    balanced: windows.every((w) => w.status === "balanced" || w.status === "in_flight"),
    windows,
    ...(ages.length > 0 ? { freshnessSeconds: Math.min(...ages), confidence: Number(best?.[6] ?? 0) } : {}),
  };
}
