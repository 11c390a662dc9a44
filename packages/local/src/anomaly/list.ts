import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { ANOMALIES_COLUMNS, buildAnomaliesListSql } from "@freshet/core";
import { query, type Warehouse } from "@freshet/functions/load/data-api";

export type AnomalyRow = Record<(typeof ANOMALIES_COLUMNS)[number], string | number | boolean | null>;

/** The `anomalies` rows detected since an instant, newest first. */
export async function listAnomalies(client: RedshiftDataClient, warehouse: Warehouse, since: Date, limit = 200): Promise<AnomalyRow[]> {
  const rows = await query(client, warehouse, buildAnomaliesListSql(since.toISOString(), limit));
  return rows.map((r) => Object.fromEntries(ANOMALIES_COLUMNS.map((c, i) => [c, r[i] ?? null])) as AnomalyRow);
}

/** One line per row: when, kind, metric/dimension, direction, observed vs expected, score. */
export function formatAnomalies(rows: readonly AnomalyRow[]): string {
  if (rows.length === 0) return "no anomalies in this period\n";
  return rows
    .map(
      (r) =>
        `${String(r.detected_at)}  ${String(r.kind).padEnd(9)} ${`${String(r.metric)}/${String(r.dimension)}`.padEnd(32)} ${String(r.direction).padEnd(5)} ` +
        `observed ${String(r.observed)} expected ${String(r.expected)} score ${String(r.score)} (${String(r.window_start)} – ${String(r.window_end)})`,
    )
    .join("\n")
    .concat("\n");
}
