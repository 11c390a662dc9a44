import { columnDefinitions, EVENT_COLUMN_TYPES, LOAD_COLUMN_TYPES, LOADS_TABLE_COLUMN_TYPES } from "./columns.ts";

/**
 * `events`, one row per distinct `event_id`.
 *
 * SORTKEY (occurred_at): every dashboard and the freshness view filter or bucket by event time,
 * and loads append mostly-recent times, so zone maps prune nearly all blocks of a time-ranged query.
 *
 * DISTKEY (user_id): the heavy per-row work that needs rows together is per user (sessions,
 * first-/last-touch attribution, COUNT(DISTINCT user_id) for active users), and with the rows
 * of a user on one slice those windows and joins run without redistribution. Campaign and feature
 * aggregates group by columns of low cardinality, which every slice aggregates locally whatever the
 * distribution, so they gain nothing from distributing on campaign (which would also skew: a few
 * campaigns carry most traffic and many events have none). The load's dedupe joins a small staging
 * table on event_id, which Redshift broadcasts, so it does not need DISTKEY(event_id). EVEN/AUTO
 * would balance slightly better but redistribute every per-user query. user_id is required and of
 * high cardinality; skew is watched with SVV_TABLE_INFO.skew_rows (maintenance issue).
 */
export const CREATE_EVENTS = `CREATE TABLE IF NOT EXISTS events (
${columnDefinitions({ ...EVENT_COLUMN_TYPES, ...LOAD_COLUMN_TYPES })}
)
DISTSTYLE KEY
DISTKEY (user_id)
SORTKEY (occurred_at)`;

/** One row per processed object loaded: the source of "already loaded" for the planner and the load's guard. */
export const CREATE_LOAD_LEDGER = `CREATE TABLE IF NOT EXISTS load_ledger (
  object_key VARCHAR(1024) NOT NULL,
  size_bytes BIGINT NOT NULL,
  etag VARCHAR(256),
  row_count BIGINT,
  load_id VARCHAR(128) NOT NULL,
  manifest_url VARCHAR(2048) NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (object_key)
)
SORTKEY (object_key)`;

/**
 * One row every load transaction locks and updates first: two loads running at once then
 * serialize on it (Redshift blocks the second behind `LOCK load_lock`, its first statement, and
 * the second then sees the first's ledger rows; the local engine takes the same lock), and an
 * engine that ignored the lock would still abort one on the row, so they never both insert the
 * same objects, whose ledger and accounting inserts alone would not conflict.
 */
export const CREATE_LOAD_LOCK = `CREATE TABLE IF NOT EXISTS load_lock (
  lock_name VARCHAR(16) NOT NULL,
  load_id VARCHAR(128),
  locked_at TIMESTAMP NOT NULL,
  PRIMARY KEY (lock_name)
)`;

export const SEED_LOAD_LOCK = `INSERT INTO load_lock (lock_name, load_id, locked_at)
SELECT 'load', NULL, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM load_lock WHERE lock_name = 'load')`;

/**
 * One row per load transaction. `status` is `loaded`, or `superseded` when an object of the
 * manifest was already in the ledger (another run loaded it): then nothing was inserted.
 * `interval_seconds` is the schedule's load interval, which the freshness view measures lag against.
 */
export const CREATE_LOADS = `CREATE TABLE IF NOT EXISTS loads (
${columnDefinitions(LOADS_TABLE_COLUMN_TYPES)}
)
SORTKEY (finished_at)`;

/** Batch receipts as loaded, one row per (batch, arrival window): makes counting a receipt idempotent. */
export const CREATE_BATCH_RECEIPTS = `CREATE TABLE IF NOT EXISTS batch_receipts (
  batch_id VARCHAR(512) NOT NULL,
  window_start TIMESTAMP NOT NULL,
  received BIGINT NOT NULL,
  processed BIGINT NOT NULL,
  filtered BIGINT NOT NULL,
  dead_lettered BIGINT NOT NULL,
  load_id VARCHAR(128) NOT NULL,
  recorded_at TIMESTAMP NOT NULL,
  PRIMARY KEY (batch_id, window_start)
)
SORTKEY (window_start)`;

/**
 * Per arrival hour (the receipts' window): what the transformer saw (received = processed +
 * filtered + dead_lettered, from receipts) and what the loads did with processed events (loaded =
 * inserted into events, duplicates = staged rows dropped as an event_id already present).
 * Arrival hour, not event hour, because that is when an event enters the accounting.
 */
export const CREATE_EVENT_ACCOUNTING = `CREATE TABLE IF NOT EXISTS event_accounting (
  window_start TIMESTAMP NOT NULL,
  received BIGINT NOT NULL,
  processed BIGINT NOT NULL,
  filtered BIGINT NOT NULL,
  dead_lettered BIGINT NOT NULL,
  loaded BIGINT NOT NULL,
  duplicates BIGINT NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (window_start)
)
SORTKEY (window_start)`;

/**
 * in_flight = processed events not loaded yet (nor recognised as duplicates). Status:
 * `balanced` (nothing in flight), `in_flight`, `loaded_exceeds_processed` (rows loaded whose
 * receipt is not recorded yet, or a bug), `receipts_inconsistent` (a receipt broke its own sum).
 */
export const CREATE_AUDIT_BALANCE = `CREATE OR REPLACE VIEW audit_balance AS
SELECT
  window_start,
  received,
  processed,
  filtered,
  dead_lettered,
  loaded,
  duplicates,
  processed - loaded - duplicates AS in_flight,
  CASE
    WHEN received <> processed + filtered + dead_lettered THEN 'receipts_inconsistent'
    WHEN processed - loaded - duplicates < 0 THEN 'loaded_exceeds_processed'
    WHEN processed - loaded - duplicates > 0 THEN 'in_flight'
    ELSE 'balanced'
  END AS status
FROM event_accounting`;
