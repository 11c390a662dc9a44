import { sqlNullableString, sqlString, sqlTimestamp } from "../warehouse/sql-literals.ts";
import { UnsafeSqlValueError } from "../warehouse/errors.ts";
import type { AnomalyDecision, RecoveredDecision } from "./decide.ts";
import { ANOMALIES_COLUMNS } from "./table.ts";

/** A finite number as an SQL literal (scores, values); ±∞ (a threshold before warm-up) is refused. */
function sqlNumber(value: number, what: string): string {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new UnsafeSqlValueError(`${what} must be a finite number, got ${String(value)}`);
  return String(value);
}

/** One INSERT of every alerted decision into `anomalies` (undefined when there is none). */
export function buildAnomaliesInsert(
  decisions: readonly (AnomalyDecision | RecoveredDecision)[],
  detectedAt: string,
  executionId: string | undefined,
): string | undefined {
  if (decisions.length === 0) return undefined;
  const rows = decisions.map(
    (d) =>
      `(${[
        sqlString(d.incidentId),
        sqlString(d.kind),
        sqlString(d.metric),
        sqlString(d.dimension),
        sqlString(d.direction),
        sqlNumber(d.expected, "expected"),
        sqlNumber(d.observed, "observed"),
        sqlNumber(d.score, "score"),
        sqlNumber(d.threshold, "threshold"),
        sqlTimestamp(d.windowStart, "window start"),
        sqlTimestamp(d.windowEnd, "window end"),
        sqlTimestamp(detectedAt, "detected at"),
        sqlNullableString(executionId),
      ].join(", ")})`,
  );
  return `INSERT INTO anomalies (${ANOMALIES_COLUMNS.join(", ")}) VALUES\n${rows.join(",\n")}`;
}

/** The newest anomalies and recoveries since an instant (for `freshet anomalies list`). */
export function buildAnomaliesListSql(since: string, limit = 200): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UnsafeSqlValueError(`limit must be a positive integer, got ${limit}`);
  return `SELECT ${ANOMALIES_COLUMNS.join(", ")} FROM anomalies WHERE detected_at >= ${sqlTimestamp(since, "since")} ORDER BY detected_at DESC, incident_id LIMIT ${limit}`;
}
