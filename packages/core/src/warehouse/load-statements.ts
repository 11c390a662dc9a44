import type { WindowCounts } from "../lake/receipt.ts";
import { columnDefinitions, EVENT_COLUMNS, LOAD_COLUMN_TYPES, LOADS_TABLE_COLUMN_TYPES, type LoadsTableColumn } from "./columns.ts";
import { InvalidLoadRequestError } from "./errors.ts";
import { sqlCount, sqlNullableString, sqlString, sqlTimestamp, sqlWindowStart } from "./sql-literals.ts";
import { maintainRollups } from "./rollups/maintain.ts";
import { recountAttributionDays } from "./rollups/attribution-daily.ts";
import { raiseNewestEvents } from "./rollups/newest-events.ts";
import { DEFAULT_LOAD_INTERVAL_SECONDS } from "./views/metric-freshness.ts";

/** Data API limits: statements per BatchExecuteStatement, characters per statement. */
export const MAX_BATCH_STATEMENTS = 40;
export const MAX_STATEMENT_CHARS = 100_000;

/** A processed object of the manifest, as listed from S3. */
export interface LoadObject {
  /** The object key, e.g. `processed/dt=2026-11-26/hr=05/<batchId>.ndjson.gz`. */
  readonly key: string;
  readonly sizeBytes: number;
  readonly etag?: string | null;
  /** Events in the object, when the planner knows it; recorded in the ledger only. */
  readonly rows?: number | null;
}

/** The part of a batch receipt (`receipts/…json`) the accounting needs. */
export interface LoadReceipt {
  readonly batch_id: string;
  readonly windows: readonly WindowCounts[];
}

export interface LoadRequest {
  /** Unique per load attempt of a manifest: letters, digits, `._:-`, up to 128. */
  readonly loadId: string;
  /** `s3://<bucket>/manifests/…json`, listing exactly `objects` (mandatory entries). */
  readonly manifestUrl: string;
  /** The COPY role (reads processed/ and manifests/ only). */
  readonly iamRoleArn: string;
  readonly objects: readonly LoadObject[];
  /** Receipts to count into `event_accounting`; each batch is counted once whatever loads carry it. */
  readonly receipts?: readonly LoadReceipt[];
  /** When the run planned this load: `loads.started_at`. */
  readonly startedAt: Date | string;
  /** The schedule's interval, recorded for the freshness view. Default 300. */
  readonly intervalSeconds?: number;
  /** COPY's REGION, only when the lake bucket is in another region than the warehouse. */
  readonly region?: string;
  /**
   * Objects no receipt accounts for: a transformer that died between its data objects and its
   * receipt left them, and its retried records were written again under other keys, with a
   * receipt. Their rows go into `events` (deduped as ever) but not into `event_accounting`, where
   * no receipt counted them as received: counted, every one would be a duplicate of nothing and
   * the window would read `loaded_exceeds_processed` for good. Such a load carries no receipts.
   * The planner waits a grace period for a receipt first, so the counted copies load first; an
   * orphan loaded before them (a retry held up longer than that) inserts rows counted nowhere and
   * theirs count as duplicates: the window still balances, its `loaded` short of those rows.
   */
  readonly unaccounted?: boolean;
}

/**
 * Columns of the result of the batch's last statement (`GetStatementResult` of sub-statement
 * `<id>:<n>`): the `loads` row the load wrote.
 */
export const LOAD_SUMMARY_COLUMNS = Object.keys(LOADS_TABLE_COLUMN_TYPES) as readonly LoadsTableColumn[];

const LOAD_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const LAKE = EVENT_COLUMNS.join(", ");

/** True when an object of the manifest was already loaded: the load is `superseded`, loads no rows. */
const SUPERSEDED = "EXISTS (SELECT 1 FROM load_objects WHERE already_loaded)";

/** A request that passed the checks, with the SQL literals every step splices. */
interface CheckedLoad {
  readonly request: LoadRequest;
  /** False for a receipts-only load: no COPY, no rows, no ledger rows. */
  readonly copies: boolean;
  readonly id: string;
  readonly manifest: string;
  readonly startedAt: string;
  readonly interval: string;
  readonly receiptRows: readonly string[];
}

/**
 * The statements of one load, for one `BatchExecuteStatement` (one transaction, one session:
 * the temporary tables live only inside it; run it without SessionId/SessionKeepAliveSeconds).
 *
 * 0. lock: take `load_lock` and update its row, so two loads at once never both commit.
 * 1. stage: COPY the manifest into `load_stage (LIKE events)`.
 * 2. guard: if any manifest object is already in `load_ledger`, another run loaded it; the stage is
 *    emptied and the load records itself `superseded` with no rows and no ledger rows, so the same
 *    manifest loaded twice (or two runs racing) never counts anything twice. The next plan picks up
 *    whatever it left.
 * 3. dedupe: one row per event_id within the batch (earliest received_at wins) and none whose
 *    event_id is already in `events`; insert the rest with `loaded_at` and `load_id`.
 * 3b. fold the inserted rows (`load_new`) into the dashboard rollups (`maintainRollups`), recount
 *    the days of `attribution_daily` their credits moved, and raise each metric's newest event
 *    (`newest_events`, read by `metric_freshness`).
 * 4. ledger rows, receipts (each batch_id once), accounting deltas per arrival hour
 *    (loaded = inserted, duplicates = staged − inserted, redriven from receipts, repaired = inserted
 *    rows that were redriven; none for an `unaccounted` load), the `loads` row.
 * 5. the last statement returns the summary (`LOAD_SUMMARY_COLUMNS`).
 * With no objects but receipts (batches that were all filtered or dead-lettered), steps 1–3 and the
 * ledger rows are left out: the load records the receipts, their accounting and its `loads` row.
 */
export function buildLoadStatements(request: LoadRequest): string[] {
  const load = checkRequest(request);
  const statements = [
    ...lockAndStage(load), // 0, 1, 2
    ...insertNewEvents(load), // 3, 3b, ledger rows
    ...recordReceipts(load), // 4
    ...(load.request.unaccounted === true ? [] : countIntoAccounting()),
    ...recordLoad(load), // the loads row, 5
  ];
  checkLimits(statements);
  return statements;
}

/** Refuses a request that would load wrongly, and writes its literals. */
function checkRequest(request: LoadRequest): CheckedLoad {
  const { loadId, manifestUrl, iamRoleArn, objects } = request;
  if (!LOAD_ID.test(loadId)) throw new InvalidLoadRequestError("invalid_field", `loadId must match ${LOAD_ID}, got ${JSON.stringify(loadId)}`);
  if (!manifestUrl.startsWith("s3://")) throw new InvalidLoadRequestError("invalid_field", `manifestUrl must be an s3:// URL, got ${JSON.stringify(manifestUrl)}`);
  if (!iamRoleArn.startsWith("arn:")) throw new InvalidLoadRequestError("invalid_field", `iamRoleArn must be an ARN, got ${JSON.stringify(iamRoleArn)}`);
  // No objects: a receipts-only load (batches that were all filtered or dead-lettered) records
  // their accounting without a COPY; with neither there is nothing to do (the planner's early exit).
  if (objects.length === 0 && (request.receipts ?? []).length === 0) throw new InvalidLoadRequestError("empty", "a load needs at least one object or receipt");
  if (request.unaccounted === true && (request.receipts ?? []).length > 0) {
    throw new InvalidLoadRequestError("invalid_field", "an unaccounted load (objects without receipts) carries no receipts: load the receipts' objects apart");
  }
  const keys = new Set<string>();
  for (const o of objects) {
    if (keys.has(o.key)) throw new InvalidLoadRequestError("duplicate_object", `object ${JSON.stringify(o.key)} is listed twice`);
    keys.add(o.key);
  }
  if (request.region !== undefined && !REGION.test(request.region)) throw new InvalidLoadRequestError("invalid_field", `not an AWS region: ${JSON.stringify(request.region)}`);
  const interval = sqlCount(request.intervalSeconds ?? DEFAULT_LOAD_INTERVAL_SECONDS, "intervalSeconds");
  if (Number(interval) === 0) throw new InvalidLoadRequestError("invalid_field", "intervalSeconds must be positive");
  return {
    request,
    copies: objects.length > 0,
    id: sqlString(loadId),
    manifest: sqlString(manifestUrl),
    startedAt: sqlTimestamp(request.startedAt, "startedAt"),
    interval,
    receiptRows: receiptValues(request.receipts ?? []),
  };
}

/** The lock first, the temporary tables of the stage, then (with objects) the COPY and its guard. */
function lockAndStage(load: CheckedLoad): string[] {
  return [
    // First, before anything reads the ledger (a transaction's snapshot is taken at its first
    // query): concurrent loads serialize here and the later one sees what the earlier committed.
    "LOCK load_lock",
    "CREATE TEMP TABLE load_stage (LIKE events)",
    `UPDATE load_lock SET load_id = ${load.id}, locked_at = GETDATE() WHERE lock_name = 'load'`,
    `CREATE TEMPORARY TABLE load_objects (
  object_key VARCHAR(1024) NOT NULL,
  size_bytes BIGINT NOT NULL,
  etag VARCHAR(256),
  row_count BIGINT,
  already_loaded BOOLEAN NOT NULL
)`,
    // Empty without objects, so the summary and the superseded guard read the same tables either way.
    ...(load.copies ? copyManifest(load.request) : []),
  ];
}

/** Lists the objects, marks those the ledger holds, COPYs the manifest and empties the stage if superseded. */
function copyManifest(request: LoadRequest): string[] {
  return [
    `INSERT INTO load_objects (object_key, size_bytes, etag, row_count, already_loaded) VALUES
${request.objects.map((o) => `(${sqlString(o.key)}, ${sqlCount(o.sizeBytes, "sizeBytes")}, ${sqlNullableString(o.etag)}, ${sqlCount(o.rows, "rows", true)}, FALSE)`).join(",\n")}`,
    "UPDATE load_objects SET already_loaded = TRUE WHERE object_key IN (SELECT object_key FROM load_ledger)",
    `COPY load_stage FROM ${sqlString(request.manifestUrl)}
IAM_ROLE ${sqlString(request.iamRoleArn)}
MANIFEST
FORMAT AS JSON 'auto'
GZIP
TIMEFORMAT 'auto'${request.region ? `\nREGION ${sqlString(request.region)}` : ""}`,
    `DELETE FROM load_stage WHERE ${SUPERSEDED}`,
  ];
}

/**
 * `load_new`: the staged rows deduplicated (created from the query: one statement fewer than
 * create, then insert), inserted into `events` and the rollups, then the ledger rows. Without
 * objects the stage is empty, and so is `load_new`, which the summary reads either way.
 */
function insertNewEvents(load: CheckedLoad): string[] {
  const { id, manifest } = load;
  return [
    `CREATE TEMPORARY TABLE load_new AS
SELECT ${LAKE}, CAST(GETDATE() AS ${LOAD_COLUMN_TYPES.loaded_at}) AS loaded_at, CAST(${id} AS ${LOAD_COLUMN_TYPES.load_id}) AS load_id
FROM (
  SELECT ${LAKE},
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at ASC, occurred_at ASC, event_type ASC) AS copy_rank
  FROM load_stage
) AS ranked
WHERE copy_rank = 1
  AND NOT EXISTS (SELECT 1 FROM events AS e WHERE e.event_id = ranked.event_id)`,
    ...(load.copies
      ? [
          `INSERT INTO events (${LAKE}, loaded_at, load_id)
SELECT ${LAKE}, loaded_at, load_id FROM load_new`,
          // The dashboards' rollups, from exactly the rows just inserted (see rollups/maintain.ts).
          ...maintainRollups("load_new", "since-earliest-change"),
          // The days of revenue_attribution its credits moved (see rollups/attribution-daily.ts).
          ...recountAttributionDays("load_new"),
          // Each metric's newest event, which `metric_freshness` reads (see rollups/newest-events.ts).
          raiseNewestEvents("load_new"),
          `INSERT INTO load_ledger (object_key, size_bytes, etag, row_count, load_id, manifest_url, loaded_at)
SELECT object_key, size_bytes, etag, row_count, ${id}, ${manifest}, GETDATE()
FROM load_objects
WHERE NOT ${SUPERSEDED}`,
        ]
      : []),
  ];
}

/** The receipts into `batch_receipts`, each batch once however many loads carry it. */
function recordReceipts(load: CheckedLoad): string[] {
  return [
    `CREATE TEMPORARY TABLE load_receipts (
  batch_id VARCHAR(512) NOT NULL,
  window_start TIMESTAMP NOT NULL,
  received BIGINT NOT NULL,
  processed BIGINT NOT NULL,
  filtered BIGINT NOT NULL,
  dead_lettered BIGINT NOT NULL,
  redriven BIGINT NOT NULL
)`,
    ...(load.receiptRows.length > 0
      ? [`INSERT INTO load_receipts (batch_id, window_start, received, processed, filtered, dead_lettered, redriven) VALUES\n${load.receiptRows.join(",\n")}`]
      : []),
    "DELETE FROM load_receipts WHERE batch_id IN (SELECT batch_id FROM batch_receipts)",
    `INSERT INTO batch_receipts (batch_id, window_start, received, processed, filtered, dead_lettered, redriven, load_id, recorded_at)
SELECT batch_id, window_start, received, processed, filtered, dead_lettered, redriven, ${load.id}, GETDATE()
FROM load_receipts`,
  ];
}

/**
 * The receipts' counts, the loaded rows and the duplicates, added to `event_accounting` per arrival
 * hour; `repaired` = loaded rows that were redriven (they carry `redriven_by`).
 */
function countIntoAccounting(): string[] {
  return [
    // Created from the query (one statement fewer); the first branch names and types the columns.
    `CREATE TEMPORARY TABLE load_deltas AS
SELECT window_start, received, processed, filtered, dead_lettered,
  CAST(0 AS BIGINT) AS loaded, CAST(0 AS BIGINT) AS duplicates, redriven, CAST(0 AS BIGINT) AS repaired
FROM load_receipts
UNION ALL
SELECT DATE_TRUNC('hour', received_at), 0, 0, 0, 0, 0, COUNT(*), 0, 0 FROM load_stage GROUP BY DATE_TRUNC('hour', received_at)
UNION ALL
SELECT DATE_TRUNC('hour', received_at), 0, 0, 0, 0, COUNT(*), 0 - COUNT(*), 0, COUNT(redriven_by) FROM load_new GROUP BY DATE_TRUNC('hour', received_at)`,
    `INSERT INTO event_accounting (window_start, received, processed, filtered, dead_lettered, loaded, duplicates, redriven, repaired, updated_at)
SELECT DISTINCT window_start, 0, 0, 0, 0, 0, 0, 0, 0, GETDATE()
FROM load_deltas AS d
WHERE NOT EXISTS (SELECT 1 FROM event_accounting AS a WHERE a.window_start = d.window_start)`,
    `UPDATE event_accounting
SET received = event_accounting.received + d.received,
  processed = event_accounting.processed + d.processed,
  filtered = event_accounting.filtered + d.filtered,
  dead_lettered = event_accounting.dead_lettered + d.dead_lettered,
  loaded = event_accounting.loaded + d.loaded,
  duplicates = event_accounting.duplicates + d.duplicates,
  redriven = event_accounting.redriven + d.redriven,
  repaired = event_accounting.repaired + d.repaired,
  updated_at = GETDATE()
FROM (
  SELECT window_start, SUM(received) AS received, SUM(processed) AS processed, SUM(filtered) AS filtered,
    SUM(dead_lettered) AS dead_lettered, SUM(loaded) AS loaded, SUM(duplicates) AS duplicates,
    SUM(redriven) AS redriven, SUM(repaired) AS repaired
  FROM load_deltas
  GROUP BY window_start
) AS d
WHERE event_accounting.window_start = d.window_start`,
  ];
}

/** The `loads` row, through `load_summary` (the `loads` columns), which the last statement returns. */
function recordLoad(load: CheckedLoad): string[] {
  const columns = LOAD_SUMMARY_COLUMNS.join(", ");
  return [
    `CREATE TEMPORARY TABLE load_summary (
${columnDefinitions(LOADS_TABLE_COLUMN_TYPES)}
)`,
    `INSERT INTO load_summary (${columns})
SELECT
  ${load.id},
  ${load.manifest},
  CASE WHEN ${SUPERSEDED} THEN 'superseded' ELSE 'loaded' END,
  ${load.request.objects.length},
  (SELECT COUNT(*) FROM load_stage),
  (SELECT COUNT(*) FROM load_new),
  (SELECT COUNT(*) FROM load_stage) - (SELECT COUNT(*) FROM load_new),
  (SELECT MAX(occurred_at) FROM load_new),
  ${load.interval},
  ${load.startedAt},
  GETDATE()`,
    `INSERT INTO loads (${columns})
SELECT ${columns} FROM load_summary`,
    `SELECT ${columns} FROM load_summary`,
  ];
}

function receiptValues(receipts: readonly LoadReceipt[]): string[] {
  const rows: string[] = [];
  const seen = new Set<string>();
  for (const receipt of receipts) {
    for (const w of receipt.windows) {
      const key = `${receipt.batch_id}\u0000${w.window}`;
      if (seen.has(key)) continue; // the same receipt given twice counts once, like a re-run
      seen.add(key);
      const redriven = w.redriven ?? 0; // receipts before version 2 have none
      if (w.received + redriven !== w.processed + w.filtered + w.dead_lettered) {
        throw new InvalidLoadRequestError(
          "inconsistent_receipt",
          `receipt ${receipt.batch_id} window ${w.window}: received ${w.received} + redriven ${redriven} ≠ processed + filtered + dead_lettered`,
        );
      }
      rows.push(
        `(${sqlString(receipt.batch_id)}, ${sqlWindowStart(w.window)}, ${sqlCount(w.received, "received")}, ${sqlCount(w.processed, "processed")}, ${sqlCount(w.filtered, "filtered")}, ${sqlCount(w.dead_lettered, "dead_lettered")}, ${sqlCount(redriven, "redriven")})`,
      );
    }
  }
  return rows;
}

function checkLimits(statements: readonly string[]): void {
  if (statements.length > MAX_BATCH_STATEMENTS) throw new InvalidLoadRequestError("too_many_statements", `${statements.length} statements exceed the Data API's ${MAX_BATCH_STATEMENTS}`);
  for (const s of statements) {
    if (s.length > MAX_STATEMENT_CHARS) {
      throw new InvalidLoadRequestError("statement_too_long", `a statement of ${s.length} characters exceeds the Data API's ${MAX_STATEMENT_CHARS}: load fewer objects or receipts at once`);
    }
  }
}
