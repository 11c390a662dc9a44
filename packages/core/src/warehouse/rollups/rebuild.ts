import { InvalidLoadRequestError } from "../errors.ts";
import { sqlTimestamp } from "../sql-literals.ts";
import { maintainRollups, recountFeatureDays } from "./maintain.ts";
import { REFRESH_ATTRIBUTION_DAILY } from "./attribution-daily.ts";
import { REFRESH_NEWEST_EVENTS } from "./newest-events.ts";

/** A range of event time; whole UTC days (the coarsest rollup grain), `to` exclusive. Open ends: everything. */
export interface RollupRange {
  readonly from?: Date | string;
  readonly to?: Date | string;
}

const DAY_MS = 86_400_000;

/**
 * Statements (one `BatchExecuteStatement`, one transaction) that rebuild every dashboard rollup
 * from `events` for the event-time days of `range`: for backfills after a bulk insert that
 * bypassed the load, and for operators repairing a range. `from` is rounded down and `to` up to
 * whole UTC days, because the daily rollups can only be rebuilt a whole day at a time.
 *
 * The range's rows are deleted, then the range's events are folded in as one delta, the way a
 * load folds its own rows. Attribution is per user, not per day: every purchase of a user with a
 * purchase or a touch in the range is recomputed from the user's whole history (credits of
 * purchases in the range whose user no longer qualifies are dropped with the range).
 * Each metric's newest event (`newest_events`, migration 9) and the daily attribution sums
 * (`attribution_daily`, migration 10) are recomputed last.
 * Run it while no load runs (or accept that a concurrent load aborts and retries on DuckDB).
 */
export function buildRollupRebuildStatements(range: RollupRange = {}): string[] {
  // `newest_events` is one row over all time: recomputed from all of `events` whatever the range
  // (one scan of four columns), so it is right even after events were bulk-inserted anywhere.
  // `attribution_daily` too: a user's re-credited purchases can fall on any day, inside the range or not.
  return [...rebuildRollupTables(range), ...REFRESH_NEWEST_EVENTS, ...REFRESH_ATTRIBUTION_DAILY];
}

/**
 * The rollup tables' part of the rebuild: what migration 4 backfilled with (its checksum is pinned,
 * so this stays exactly as released; `newest_events` came with migration 9).
 */
export function rebuildRollupTables(range: RollupRange = {}): string[] {
  const from = range.from === undefined ? undefined : floorDay(range.from, "from");
  const to = range.to === undefined ? undefined : ceilDay(range.to, "to");
  if (from && to && from.getTime() >= to.getTime()) throw new InvalidLoadRequestError("empty", `empty rollup range: ${from.toISOString()} .. ${to.toISOString()}`);
  const within = (column: string): string => {
    const bounds = [
      ...(from ? [`${column} >= ${sqlTimestamp(from, "from")}`] : []),
      ...(to ? [`${column} < ${sqlTimestamp(to, "to")}`] : []),
    ];
    return bounds.length ? ` WHERE ${bounds.join(" AND ")}` : "";
  };
  return [
    `DELETE FROM campaign_rollup${within("bucket_start")}`,
    `DELETE FROM user_activity_hourly${within("hour_start")}`,
    `DELETE FROM engagement_periods${within("period_start")}`,
    `DELETE FROM feature_usage_daily${within("day")}`,
    `DELETE FROM feature_daily${within("day")}`,
    `DELETE FROM feature_first_use${within("first_day")}`,
    `DELETE FROM attribution_credits${within("day")}`,
    ...maintainRollups(`(SELECT * FROM events${within("occurred_at")})`),
    // A pair whose first use was in the range but which has no use in it any more (events removed)
    // still has later uses: take its first from the whole usage table.
    `INSERT INTO feature_first_use (feature, account_id, first_day)
SELECT f.feature, f.account_id, MIN(f.day)
FROM feature_usage_daily AS f
WHERE NOT EXISTS (SELECT 1 FROM feature_first_use AS u WHERE u.feature = f.feature AND u.account_id = f.account_id)
GROUP BY f.feature, f.account_id`,
    // Adoptions just filled in can fall on days outside the range: recount every day (small).
    "DELETE FROM feature_daily",
    recountFeatureDays(),
  ];
}

function instant(value: Date | string, what: string): Date {
  sqlTimestamp(value, what); // validates: a Date, or ISO-8601 with an offset
  return typeof value === "string" ? new Date(value) : value;
}

function floorDay(value: Date | string, what: string): Date {
  const t = instant(value, what).getTime();
  return new Date(Math.floor(t / DAY_MS) * DAY_MS);
}

function ceilDay(value: Date | string, what: string): Date {
  const t = instant(value, what).getTime();
  return new Date(Math.ceil(t / DAY_MS) * DAY_MS);
}
