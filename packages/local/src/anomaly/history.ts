import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { buildSeriesSql, type MetricDefinition, type SeriesRow } from "@freshet/core";
import { query, type Cell, type Warehouse } from "@freshet/functions/load/data-api";

export interface HistoryWindow {
  /** Unix minutes, [fromMinute, untilMinute). */
  readonly fromMinute: number;
  readonly untilMinute: number;
}

/** The window of `hours` whole minutes ending at `now`'s minute (exclusive). */
export function historyWindow(now: Date, hours: number): HistoryWindow {
  const untilMinute = Math.floor(now.getTime() / 60_000);
  return { fromMinute: untilMinute - Math.round(hours * 60), untilMinute };
}

/**
 * Every metric's per-minute rows in the window, read with the scoring workflow's own series SQL
 * through the Data API (the embedded one locally), so training sees what scoring will see.
 */
export async function readHistory(client: RedshiftDataClient, warehouse: Warehouse, window: HistoryWindow, metrics?: readonly MetricDefinition[]): Promise<SeriesRow[]> {
  const iso = (minute: number) => new Date(minute * 60_000).toISOString();
  const rows = await query(client, warehouse, buildSeriesSql(metrics), {
    parameters: [
      { name: "from", value: iso(window.fromMinute) },
      { name: "until", value: iso(window.untilMinute) },
    ],
  });
  return rows.map(([metric, dimension, minute, value]) => ({
    metric: String(metric),
    dimension: String(dimension),
    minute: Number(minute),
    value: numberOrNull(value),
  }));
}

function numberOrNull(cell: Cell | undefined): number | null {
  if (cell === null || cell === undefined) return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}
