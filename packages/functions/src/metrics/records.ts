import type { BoundQuery } from "@freshet/core";
import type { ColumnMetadata, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { queryResult, type Cell, type Warehouse } from "../load/data-api.ts";

export type JsonRecord = Record<string, string | number | boolean | null>;

/** Redshift types the Data API hands over as text that the API answers as JSON numbers. */
const NUMERIC_TEXT = new Set(["numeric", "decimal"]);
const TIMESTAMP_TEXT = new Set(["timestamp"]);
/** The Data API's timestamp text: `2026-03-10 12:05:00` (UTC, optional fraction). */
const TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)$/;

/**
 * A dashboard's query ends in milliseconds: poll sooner than a load does, and back off gently
 * (each wait 25 % longer than the last, not twice), so an answer is seen within about a quarter of
 * its query's time rather than up to double it (polls at once, then 5, 11, 19, 29, 41, 56, 75, 99 ms …).
 * The deadline leaves API Gateway's 29 s room to answer.
 */
export const METRICS_POLLING = { firstPollMs: 5, pollBackoff: 1.25, deadlineMs: 25_000 } as const;

/**
 * Runs a bound query (its values in the Data API's `Parameters`) and answers its rows as objects
 * keyed by column name: numerics as JSON numbers, timestamps as ISO-8601 UTC.
 */
export async function queryRecords(client: RedshiftDataClient, warehouse: Warehouse, bound: BoundQuery): Promise<JsonRecord[]> {
  const { columns, rows } = await queryResult(client, warehouse, bound.sql, { parameters: bound.parameters, ...METRICS_POLLING });
  return rows.map((row) => toRecord(columns, row));
}

export function toRecord(columns: readonly ColumnMetadata[], row: readonly Cell[]): JsonRecord {
  const record: JsonRecord = {};
  columns.forEach((column, n) => {
    record[column.name ?? column.label ?? `column_${n}`] = jsonValue(column.typeName?.toLowerCase() ?? "", row[n] ?? null);
  });
  return record;
}

function jsonValue(typeName: string, cell: Cell): string | number | boolean | null {
  if (typeof cell !== "string") return cell;
  if (NUMERIC_TEXT.has(typeName)) {
    const n = Number(cell);
    return Number.isFinite(n) ? n : cell;
  }
  if (TIMESTAMP_TEXT.has(typeName)) {
    const m = TIMESTAMP.exec(cell);
    // The same form as the answer's `from`/`to` (milliseconds; Redshift's microseconds dropped).
    return m ? new Date(`${m[1]}T${m[2]}Z`).toISOString() : cell;
  }
  return cell;
}
