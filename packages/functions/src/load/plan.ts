import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import {
  buildLoadErrorsQuery,
  buildLoadStatements,
  InvalidLoadRequestError,
  LOADED_OBJECT_KEYS,
  MAX_KEYS_PER_LOOKUP,
  type LoadReceipt,
} from "@freshet/core";
import type { QueryOptions, Warehouse } from "./data-api.ts";
import { contendedClaim, deleteClaim, liveClaims, writeClaim, type Claimed, type LoadClaim } from "./claims.ts";
import { heldValues } from "./held-values.ts";
import { listProcessed } from "./list-processed.ts";
import { batchIdOfKey, compareKeys, loadIdOf, manifestKeyOf, manifestOf, objectUrl, type ProcessedObject } from "./manifest.ts";
import { findReceipts, findUnrecordedReceipts } from "./receipts.ts";
import { workFromReceipts, type ReceiptWork } from "./work-from-receipts.ts";

/** What the Load workflow's Plan state receives. */
export interface PlanInput {
  readonly executionName?: string;
  /** The execution's start (ISO): the lookback window is counted from it. */
  readonly startedAt?: string;
  readonly maxObjects?: number;
  /** The schedule's interval in seconds, recorded with the load for the freshness view. */
  readonly intervalSeconds?: number;
  /**
   * Plan by listing `processed/` (true) or from the unrecorded receipts (false). Default: listing
   * in the first interval of each hour (the reconciliation), receipts otherwise.
   */
  readonly reconcile?: boolean;
}

/**
 * The Plan state's result; `objects: 0` and `receipts: 0` means nothing to load (no manifest written).
 * `objects: 0` with receipts is a receipts-only load: its manifest has no entries and its SQL no COPY.
 */
export interface LoadPlan {
  readonly loadId: string | null;
  readonly manifestKey: string | null;
  /** `manifests/in-flight/<loadId>.json`: the workflow deletes it when the load ends (see claims.ts). */
  readonly claimKey: string | null;
  readonly objects: number;
  readonly bytes: number;
  /** Batch receipts counted into the accounting by this load. */
  readonly receipts: number;
  /** The Copy batch (core's `buildLoadStatements`); its last statement returns the load summary. */
  readonly sqls: readonly string[];
  /** Why a failed COPY failed: `sys_load_error_detail` rows for this manifest's files (null for a receipts-only load). */
  readonly loadErrorsSql: string | null;
  /** Processed objects in the lookback not yet in the ledger, this load's included. */
  readonly pending: number;
  /** Objects left for a later run because their batch receipt is not written yet. */
  readonly deferred: number;
  /** Pending objects skipped because a load still running has claimed them. */
  readonly inFlight: number;
  /** This run planned a load another run claimed at the same moment, and left it to that run. */
  readonly contended?: boolean;
  /** How the work was found: from unrecorded receipts, or by listing processed/ (reconciliation). */
  readonly via?: "receipts" | "listing";
}

export interface PlannerDeps {
  readonly s3: S3Client;
  readonly redshift: RedshiftDataClient;
  readonly bucket: string;
  readonly warehouse: Warehouse;
  readonly copyRoleArn: string;
  readonly now?: () => Date;
  readonly queryOptions?: QueryOptions;
  /** Called for objects loaded without a receipt (see `RECEIPT_GRACE_MS`). */
  readonly onMissingReceipt?: (keys: readonly string[]) => void;
  /** Called for objects a receipt names that the lake does not hold (not loaded). */
  readonly onMissingObjects?: (keys: readonly string[]) => void;
}

/**
 * Objects per load. The batch's statements carry one VALUES row per object and per receipt
 * window and must stay under the Data API's 100,000 characters, and the load-errors lookup
 * names every file (at most `MAX_KEYS_PER_LOOKUP`); `planLoad` halves further if needed.
 */
export const DEFAULT_MAX_OBJECTS = 200;
/** The transformer's max event age (7 days) plus one: older days get no new processed objects. */
export const LOOKBACK_DAYS = 8;
/**
 * The transformer writes a batch's receipt after its data objects. An object whose receipt is
 * missing is left for the next run for this long; after it, the transformer must have crashed
 * between the two writes and the object is loaded without its accounting (reported).
 */
export const RECEIPT_GRACE_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;
/** The Load schedule's interval when the input does not say (the AWS default, 5 minutes). */
const DEFAULT_INTERVAL_SECONDS = 300;

/**
 * Plans one load. The work is found from the batch receipts no load has recorded yet (a few
 * hours of `receipts/`, whatever the size of the lake: work-from-receipts.ts), taking whole
 * batches; in the first interval of each hour, or when `input.reconcile` says so, by listing the
 * lookback's `processed/` against the ledger instead, which also finds objects whose receipt was
 * never written. Concurrency guard (why two overlapping runs never load a file twice):
 * 1. the ledger is the truth of "loaded": objects it holds are never planned again;
 * 2. the batch is the oldest pending keys (or batches), and its load id a digest of those keys, so
 *    runs that overlap plan the same load and write byte-identical manifests (an idempotent PUT);
 * 3. the load's transaction (core's `buildLoadStatements`) re-checks the ledger (a manifest with
 *    an already-loaded object is `superseded`: no rows) and dedupes on event_id against `events`,
 *    and every load first takes `LOCK load_lock` and updates its one row, so of two concurrent
 *    transactions the second waits and is superseded (Redshift) or aborts on the row (engines
 *    without table locks, like the local one); inserts alone would not conflict there.
 *    A crashed run leaves its manifest; the next run plans the same objects again.
 * 4. so that overlapping runs do not all plan the same batch and queue behind one another, each
 *    load claims its objects while it runs (claims.ts) and a run plans only unclaimed ones:
 *    with loads every second, one copies while the next plans.
 * Schedules cannot name executions, so no execution-name guard is used.
 */
export async function planLoad(deps: PlannerDeps, input: PlanInput): Promise<LoadPlan> {
  const now = deps.now?.() ?? new Date();
  const startedAt = validDate(input.startedAt) ?? now;
  const max = boundedMax(input.maxObjects);
  // Claims before the ledger (see liveClaims): listed at once, awaited before any warehouse read.
  const claims = liveClaims(deps.s3, deps.bucket, now);
  claims.catch(() => undefined);
  const reconcile = input.reconcile ?? startedAt.getTime() % HOUR_MS < (input.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
  const fromReceipts = reconcile ? undefined : await workFromReceipts(deps, now, claims, max);
  const claimed = await claims;
  if (fromReceipts && fromReceipts.missing.length > 0) deps.onMissingObjects?.(fromReceipts.missing);
  const work = fromReceipts ? receiptWork(fromReceipts, claimed) : await listingWork(deps, now, startedAt, claimed, max);
  const nothing = { loadId: null, manifestKey: null, claimKey: null, objects: 0, bytes: 0, receipts: 0, sqls: [], loadErrorsSql: null, inFlight: work.inFlight };
  if (work.objects.length === 0 && work.receipts.length === 0) return { ...nothing, pending: work.pending, deferred: work.deferred };

  for (;;) {
    const { objects: batch, receipts: batchReceipts } = work;
    // A receipts-only load is named by its receipts, so overlapping runs still plan the same load.
    const loadId = batch.length > 0 ? loadIdOf(batch) : loadIdOf(batchReceipts.map((r) => ({ key: r.batch_id, size: 0, etag: null, lastModified: null })));
    const manifestKey = manifestKeyOf(loadId);
    const manifestUrl = objectUrl(deps.bucket, manifestKey);
    let sqls: string[];
    try {
      sqls = buildLoadStatements({
        loadId,
        manifestUrl,
        iamRoleArn: deps.copyRoleArn,
        objects: batch.map((o) => ({ key: o.key, sizeBytes: o.size, etag: o.etag })),
        receipts: batchReceipts,
        startedAt,
        ...(input.intervalSeconds !== undefined ? { intervalSeconds: input.intervalSeconds } : {}),
      });
    } catch (error) {
      // Too many characters for one statement: plan about half (deterministically).
      if (error instanceof InvalidLoadRequestError && error.reason === "statement_too_long" && work.halve()) continue;
      throw error;
    }
    const missing = work.late.filter((key) => batch.some((o) => o.key === key));
    if (missing.length > 0) deps.onMissingReceipt?.(missing);
    const manifestWritten = deps.s3.send(
      new PutObjectCommand({ Bucket: deps.bucket, Key: manifestKey, Body: JSON.stringify(manifestOf(deps.bucket, batch)), ContentType: "application/json" }),
    );
    manifestWritten.catch(() => undefined);
    const claim: LoadClaim = {
      loadId,
      executionName: input.executionName ?? null,
      claimedAt: now.toISOString(),
      objects: batch.map((o) => o.key),
      receipts: [...new Set(batchReceipts.map((r) => r.batch_id))],
    };
    const [claimKey] = await Promise.all([writeClaim(deps.s3, deps.bucket, claim), manifestWritten]);
    if ((await contendedClaim(deps.s3, deps.bucket, now, claimKey, claim)) !== undefined) {
      await deleteClaim(deps.s3, deps.bucket, claimKey);
      return { ...nothing, pending: work.pending, deferred: work.deferred, contended: true };
    }
    return {
      loadId,
      manifestKey,
      claimKey,
      objects: batch.length,
      bytes: batch.reduce((sum, o) => sum + o.size, 0),
      receipts: new Set(batchReceipts.map((r) => r.batch_id)).size,
      sqls,
      loadErrorsSql: batch.length > 0 ? buildLoadErrorsQuery({ fileUrls: batch.map((o) => objectUrl(deps.bucket, o.key)), since: startedAt }) : null,
      pending: work.pending,
      deferred: work.deferred,
      inFlight: work.inFlight,
      via: fromReceipts ? "receipts" : "listing",
    };
  }
}

/** What one load takes: objects, the receipts recorded with them, and how to make it smaller. */
interface Work {
  objects: ProcessedObject[];
  receipts: LoadReceipt[];
  readonly pending: number;
  readonly deferred: number;
  readonly inFlight: number;
  /** Objects loaded although their receipt is missing (listing only, past the grace period). */
  readonly late: readonly string[];
  /** Plans about half as much; false when it cannot shrink further. */
  halve(): boolean;
}

/** Whole batches from their receipts (work-from-receipts.ts): halving keeps the first half of the batches. */
function receiptWork(found: ReceiptWork, claimed: Claimed): Work {
  let batches = [...found.batches];
  const work: Work = {
    objects: [],
    receipts: [],
    pending: found.pending,
    deferred: 0,
    inFlight: claimed.objects.size,
    late: [],
    halve() {
      if (batches.length <= 1) return false;
      batches = batches.slice(0, Math.ceil(batches.length / 2));
      set();
      return true;
    },
  };
  const set = () => {
    work.objects = batches.flatMap((b) => b.objects).sort((a, b) => compareKeys(a.key, b.key));
    work.receipts = batches.map((b) => b.receipt);
  };
  set();
  return work;
}

/**
 * The processed objects of the lookback not in the ledger, by listing `processed/` (the hourly
 * reconciliation, and the way before receipts named their objects). Objects whose receipt is
 * missing wait `RECEIPT_GRACE_MS`, then load without it (reported); receipts of batches with no
 * processed object ride along.
 */
async function listingWork(deps: PlannerDeps, now: Date, startedAt: Date, claimed: Claimed, max: number): Promise<Work> {
  const listed = await listProcessed(deps.s3, deps.bucket, startedAt, LOOKBACK_DAYS);
  // Batches with no processed object: their receipts ride along with the next load (or make one).
  const skipReceipts = new Set([...listed.map((o) => batchIdOfKey(o.key)), ...claimed.receipts]);
  const [loaded, found] = await Promise.all([
    heldValues(deps, LOADED_OBJECT_KEYS, listed.map((o) => o.key)),
    findUnrecordedReceipts(deps, now, LOOKBACK_DAYS, skipReceipts, max),
  ]);
  let extra = found;
  const unloaded = listed.filter((o) => !loaded.has(o.key));
  const pending = unloaded.filter((o) => !claimed.objects.has(o.key)).sort((a, b) => compareKeys(a.key, b.key));
  const inFlight = unloaded.length - pending.length;
  if (pending.length === 0 && extra.length === 0) return { objects: [], receipts: [], pending: 0, deferred: 0, inFlight, late: [], halve: () => false };

  // Receipts for a few more than one batch: deferred objects must not starve the load.
  const candidates = pending.slice(0, max * 2);
  const receipts = await findReceipts(deps.s3, deps.bucket, candidates.map((o) => o.key), now);
  const ready: ProcessedObject[] = [];
  const late: string[] = [];
  let deferred = 0;
  for (const o of candidates) {
    if (receipts.has(batchIdOfKey(o.key))) ready.push(o);
    else if (o.lastModified !== null && now.getTime() - o.lastModified.getTime() < RECEIPT_GRACE_MS) deferred += 1;
    else {
      ready.push(o);
      late.push(o.key);
    }
  }
  let batch = ready.slice(0, max);
  const work: Work = {
    objects: batch,
    receipts: [...receiptsOf(batch, receipts), ...extra],
    pending: pending.length,
    deferred,
    inFlight,
    late,
    halve() {
      if (batch.length + extra.length <= 1) return false;
      if (extra.length > 1 || (extra.length === 1 && batch.length <= 1)) extra = extra.slice(0, Math.floor(extra.length / 2));
      else batch = batch.slice(0, Math.ceil(batch.length / 2));
      work.objects = batch;
      work.receipts = [...receiptsOf(batch, receipts), ...extra];
      return true;
    },
  };
  return work;
}

function receiptsOf(batch: readonly ProcessedObject[], receipts: ReadonlyMap<string, LoadReceipt>): LoadReceipt[] {
  const ids = new Set(batch.map((o) => batchIdOfKey(o.key)));
  return [...ids].flatMap((id) => {
    const r = receipts.get(id);
    return r ? [r] : [];
  });
}

function boundedMax(value: number | undefined): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) return DEFAULT_MAX_OBJECTS;
  return Math.min(value, MAX_KEYS_PER_LOOKUP);
}

function validDate(iso: string | undefined): Date | undefined {
  if (typeof iso !== "string") return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
