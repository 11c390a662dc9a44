import { LOADS_TABLE_COLUMN_TYPES } from "./columns.ts";
import { InvalidLoadRequestError } from "./errors.ts";
import { MAX_KEYS_PER_LOOKUP } from "./lookups.ts";
import { sqlCount, sqlString, sqlTimestamp } from "./sql-literals.ts";

/** Ledger rows loaded since an instant (rows: object_key, load_id, loaded_at), oldest first. */
export function buildLedgerSinceQuery(since: Date | string, limit = 1000): string {
  return `SELECT object_key, load_id, loaded_at FROM load_ledger WHERE loaded_at >= ${sqlTimestamp(since, "since")} ORDER BY loaded_at, object_key LIMIT ${sqlCount(limit, "limit")}`;
}

export interface LoadErrorsFilter {
  /** The failed COPY's Redshift query id (DescribeStatement's `RedshiftQueryId` of its sub-statement). */
  readonly queryId?: number;
  /** Or the files of the failed manifest, as `s3://…` URLs (what `file_name` holds). */
  readonly fileUrls?: readonly string[];
  /** Only errors from this instant on. */
  readonly since?: Date | string;
  readonly limit?: number;
}

/** Columns of the load-error query: SYS_LOAD_ERROR_DETAIL's names (Redshift Serverless). */
export const LOAD_ERROR_COLUMNS = [
  "query_id",
  "start_time",
  "file_name",
  "line_number",
  "column_name",
  "error_code",
  "error_message",
] as const;

/**
 * Why a COPY failed, newest first, from `SYS_LOAD_ERROR_DETAIL` (Serverless; provisioned clusters
 * have the same facts in `STL_LOAD_ERRORS`). Errors are recorded even though the load's
 * transaction rolled back, so a failed batch can be read afterwards.
 */
export function buildLoadErrorsQuery(filter: LoadErrorsFilter): string {
  const where: string[] = [];
  if (filter.queryId !== undefined) where.push(`query_id = ${sqlCount(filter.queryId, "queryId")}`);
  if (filter.fileUrls !== undefined) {
    if (filter.fileUrls.length === 0 || filter.fileUrls.length > MAX_KEYS_PER_LOOKUP) {
      throw new InvalidLoadRequestError("lookup_size", `give 1..${MAX_KEYS_PER_LOOKUP} file URLs, got ${filter.fileUrls.length}`);
    }
    where.push(`TRIM(file_name) IN (${filter.fileUrls.map(sqlString).join(", ")})`);
  }
  if (filter.since !== undefined) where.push(`start_time >= ${sqlTimestamp(filter.since, "since")}`);
  if (where.length === 0) throw new InvalidLoadRequestError("empty", "filter load errors by queryId, fileUrls or since");
  return `SELECT ${LOAD_ERROR_COLUMNS.join(", ")}
FROM sys_load_error_detail
WHERE ${where.join(" AND ")}
ORDER BY start_time DESC, line_number ASC
LIMIT ${sqlCount(filter.limit ?? 100, "limit")}`;
}

/**
 * Columns of the audit query, one row per arrival hour: received + redriven = loaded + duplicates
 * + filtered + dead_lettered + in_flight; `repaired` counts the redriven events loaded.
 */
export const AUDIT_COLUMNS = [
  "window_start",
  "received",
  "processed",
  "filtered",
  "dead_lettered",
  "loaded",
  "duplicates",
  "in_flight",
  "status",
  "redriven",
  "repaired",
] as const;

/** `freshet audit [--from --to]`: the balance per arrival hour in [from, to), oldest first. */
export function buildAuditQuery(range: { readonly from?: Date | string; readonly to?: Date | string } = {}): string {
  const where: string[] = [];
  if (range.from !== undefined) where.push(`window_start >= ${sqlTimestamp(range.from, "from")}`);
  if (range.to !== undefined) where.push(`window_start < ${sqlTimestamp(range.to, "to")}`);
  return `SELECT ${AUDIT_COLUMNS.join(", ")} FROM audit_balance${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY window_start`;
}

/** The most recent loads (rows: the `loads` columns), newest first. */
export function buildRecentLoadsQuery(limit = 20): string {
  return `SELECT ${Object.keys(LOADS_TABLE_COLUMN_TYPES).join(", ")}
FROM loads
ORDER BY finished_at DESC
LIMIT ${sqlCount(limit, "limit")}`;
}

/** The freshness view, one row per dashboard metric. */
export const SELECT_METRIC_FRESHNESS =
  "SELECT metric, newest_event_at, age_seconds, last_load_at, interval_seconds, in_flight_share, confidence FROM metric_freshness ORDER BY metric";
