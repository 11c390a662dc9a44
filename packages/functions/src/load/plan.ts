import { buildLoadErrorsQuery, buildLoadStatements, InvalidLoadRequestError, MAX_KEYS_PER_LOOKUP } from "@freshet/core";
import { claimKeyOf, contendedClaim, deleteClaim, liveClaims, writeClaim, type LoadClaim } from "./claims.ts";
import { HOUR_MS } from "./lake-time.ts";
import { listingWork } from "./listing-work.ts";
import { liveMaintenanceLease } from "./maintenance-lease.ts";
import { loadIdOf, manifestKeyOf, objectUrl, writeManifest } from "./manifest.ts";
import { receiptWork } from "./receipt-work.ts";
import type { FoundWork, LoadPlan, PlanInput, PlannerDeps, PlanningRun, Work, WorkSource } from "./types.ts";

/**
 * Objects per load. The batch's statements carry one VALUES row per object and per receipt
 * window and must stay under the Data API's 100,000 characters, and the load-errors lookup
 * names every file (at most `MAX_KEYS_PER_LOOKUP`); `planLoad` halves further if needed, and
 * while the whole plan exceeds `MAX_PLAN_BYTES`.
 */
export const DEFAULT_MAX_OBJECTS = 200;
/** The Load schedule's interval when the input does not say (the AWS default, 5 minutes). */
const DEFAULT_INTERVAL_SECONDS = 300;
/**
 * The most bytes (UTF-8 JSON) a plan may take. The Load workflow keeps the whole plan (the Plan
 * state's `$states.result.Payload`) and passes its `sqls` to the Copy state, and Step Functions
 * refuses a state's input or output, or a task's parameters or result, over 262,144 bytes
 * (`States.DataLimitExceeded`). The Plan task's result is the plan inside Lambda's invoke
 * envelope (StatusCode, ExecutedVersion, the response's HTTP headers and request id: about a
 * kilobyte), so 200,000 leaves ~60 KB for that envelope and what the workflow adds around it.
 * Each statement's own 100,000 characters (core's `checkLimits`) do not bound this: two near
 * that limit (the objects' and receipts' rows) and the load-errors query together exceed it.
 */
export const MAX_PLAN_BYTES = 200_000;

/** A load for some work: its id, manifest key and statements, and the plan that returns it. */
interface SizedLoad {
  readonly work: Work;
  readonly loadId: string;
  readonly manifestKey: string;
  /** What the run returns once its claim is written (at `plan.claimKey`). */
  readonly plan: LoadPlan;
}

/** The claim this run wrote, and where. */
interface WrittenClaim {
  readonly key: string;
  readonly claim: LoadClaim;
}

/**
 * Plans one load. The work comes from a work source (types.ts): every run from the batch
 * receipts no load has recorded yet (a few hours of `receipts/`, whatever the size of the lake,
 * whole batches: receipt-work.ts); in the first interval of each hour, when `input.reconcile`
 * says so, or when receipts cannot say, by listing the lookback's `processed/` against the
 * ledger (listing-work.ts), which also finds objects whose receipt was never written.
 * Concurrency guard (why two overlapping runs never load a file twice):
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
 * 5. a live maintenance lease (the Maintenance workflow's, while it vacuums or analyzes a table)
 *    pauses loading: nothing is planned (the work is looked for while the lease is read, and
 *    dropped). It is read again after this run's claim is written: the
 *    workflow writes its lease before it lists the claims, and this run writes its claim before
 *    it reads the lease again, so of the two at least one sees the other (S3 reads what was
 *    written before) and either the maintenance waits for this load or this load withdraws.
 * Schedules cannot name executions, so no execution-name guard is used.
 */
export async function planLoad(deps: PlannerDeps, input: PlanInput): Promise<LoadPlan> {
  const run = startRun(deps, input);
  // The lease is read while the work is found, a round trip sooner: finding only reads (and may
  // move the receipts watermark); nothing is claimed or written for a load before the lease is
  // known. While paused, what was found, or why finding failed, is dropped.
  const finding = findWork(run, preferredSources(run, input));
  finding.catch(() => undefined);
  if (await pausedByMaintenance(run)) return paused();
  const found = await finding;
  deps.onOldestWaiting?.(oldestWritten(found.work.objects));
  if (found.work.objects.length === 0 && found.work.receipts.length === 0) return nothingPlanned(found);
  const load = sizeLoad(run, found, found.work, input);
  reportLate(deps, load.work);
  const written = await writeManifestAndClaim(run, load, input);
  const withdrawn = await withdrawIfContendedOrPaused(run, written);
  if (withdrawn === "contended") return { ...nothingPlanned(found), contended: true };
  if (withdrawn === "maintenance") return { ...nothingPlanned(found), paused: "maintenance" };
  deps.onRowsPlanned?.(load.work.receipts.reduce((sum, r) => sum + r.windows.reduce((s, w) => s + w.processed, 0), 0));
  return { ...load.plan, claimKey: written.key };
}

/**
 * When the oldest of these objects was written (null for none, or none with a time). The work
 * is the oldest unclaimed pending objects, so this is how long loading lags behind the lake.
 */
function oldestWritten(objects: readonly { readonly lastModified: Date | null }[]): Date | null {
  let oldest: Date | null = null;
  for (const { lastModified } of objects) if (lastModified !== null && (oldest === null || lastModified < oldest)) oldest = lastModified;
  return oldest;
}

/** A live maintenance lease at the start of the run. */
async function pausedByMaintenance(run: PlanningRun): Promise<boolean> {
  return (await liveMaintenanceLease(run.deps.s3, run.deps.bucket, run.now)) !== undefined;
}

/**
 * Why this run withdraws (its claim deleted), or undefined: another run claimed the same load at
 * the same moment (see contendedClaim), or a maintenance lease appeared while this run planned.
 * Both are read after the claim was written (guards 4 and 5), at once.
 */
async function withdrawIfContendedOrPaused(run: PlanningRun, written: WrittenClaim): Promise<"contended" | "maintenance" | undefined> {
  const { deps } = run;
  const [contended, lease] = await Promise.all([
    contendedClaim(deps.s3, deps.bucket, run.now, written.key, written.claim),
    liveMaintenanceLease(deps.s3, deps.bucket, deps.now?.() ?? new Date()),
  ]);
  const why = contended !== undefined ? "contended" : lease !== undefined ? "maintenance" : undefined;
  if (why !== undefined) await deleteClaim(deps.s3, deps.bucket, written.key);
  return why;
}

/** The run's clock, bounds, and its claims listing, started at once. */
function startRun(deps: PlannerDeps, input: PlanInput): PlanningRun {
  const now = deps.now?.() ?? new Date();
  const startedAt = validDate(input.startedAt) ?? now;
  const maxObjects = boundedMax(input.maxObjects);
  // Claims before the ledger (see liveClaims): listed at once, awaited before any warehouse read.
  const claims = liveClaims(deps.s3, deps.bucket, now);
  claims.catch(() => undefined);
  return { deps, now, startedAt, maxObjects, claims };
}

/**
 * The sources to ask before the listing, in order: the unrecorded receipts, except in the first
 * interval of each hour (or when the input says so), when the listing reconciles alone.
 */
function preferredSources(run: PlanningRun, input: PlanInput): readonly WorkSource[] {
  const reconcile = input.reconcile ?? run.startedAt.getTime() % HOUR_MS < (input.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
  return reconcile ? [] : [receiptWork];
}

/** The first answer of the preferred sources; the listing, which always answers, otherwise. */
async function findWork(run: PlanningRun, sources: readonly WorkSource[]): Promise<FoundWork> {
  for (const source of sources) {
    const found = await source.find(run);
    if (found !== undefined) return found;
  }
  return listingWork.find(run);
}

/**
 * The load's id, manifest key and plan, on smaller work until every statement fits the Data API
 * and the whole plan fits a Step Functions state (`MAX_PLAN_BYTES`). The objects left out are
 * still pending: the next runs plan them.
 */
function sizeLoad(run: PlanningRun, found: FoundWork, work: Work, input: PlanInput): SizedLoad {
  // A receipts-only load is named by its receipts, so overlapping runs still plan the same load.
  const loadId = work.objects.length > 0 ? loadIdOf(work.objects) : loadIdOf(work.receipts.map((r) => ({ key: r.batch_id })));
  const manifestKey = manifestKeyOf(loadId);
  try {
    const sqls = buildLoadStatements({
      loadId,
      manifestUrl: objectUrl(run.deps.bucket, manifestKey),
      iamRoleArn: run.deps.copyRoleArn,
      objects: work.objects.map((o) => ({ key: o.key, sizeBytes: o.size, etag: o.etag })),
      receipts: work.receipts,
      unaccounted: work.late.length > 0,
      startedAt: run.startedAt,
      ...(input.intervalSeconds !== undefined ? { intervalSeconds: input.intervalSeconds } : {}),
    });
    const load = { work, loadId, manifestKey, plan: planned(run, found, work, { loadId, manifestKey, sqls }, claimKeyOf(loadId, input.executionName ?? null)) };
    checkPlanBytes(load.plan);
    return load;
  } catch (error) {
    // A statement or the plan too large: plan about half (deterministically).
    const tooLarge = error instanceof InvalidLoadRequestError && (error.reason === "statement_too_long" || error.reason === "payload_too_large");
    const smaller = tooLarge ? work.smaller() : undefined;
    if (smaller === undefined) throw error;
    return sizeLoad(run, found, smaller, input);
  }
}

/** Refuses a plan the Load workflow could not carry from state to state (see `MAX_PLAN_BYTES`). */
function checkPlanBytes(plan: LoadPlan): void {
  const bytes = Buffer.byteLength(JSON.stringify(plan), "utf8");
  if (bytes > MAX_PLAN_BYTES) {
    throw new InvalidLoadRequestError("payload_too_large", `a plan of ${bytes} bytes exceeds ${MAX_PLAN_BYTES} (Step Functions carries 262,144 per state): load fewer objects or receipts at once`);
  }
}

function reportLate(deps: PlannerDeps, work: Work): void {
  if (work.late.length > 0) deps.onMissingReceipt?.(work.late);
}

/** The manifest and this run's claim on the load's objects and receipts, written together. */
async function writeManifestAndClaim(run: PlanningRun, load: SizedLoad, input: PlanInput): Promise<WrittenClaim> {
  const { deps } = run;
  const manifestWritten = writeManifest(deps, load.manifestKey, load.work.objects);
  manifestWritten.catch(() => undefined);
  const claim: LoadClaim = {
    loadId: load.loadId,
    executionName: input.executionName ?? null,
    claimedAt: run.now.toISOString(),
    objects: load.work.objects.map((o) => o.key),
    receipts: [...new Set(load.work.receipts.map((r) => r.batch_id))],
  };
  const [key] = await Promise.all([writeClaim(deps.s3, deps.bucket, claim), manifestWritten]);
  return { key, claim };
}

/** No load this run, and no planning at all: maintenance holds the warehouse. */
function paused(): LoadPlan {
  return { ...nothingPlanned({ inFlight: 0, pending: 0, deferred: 0 }), paused: "maintenance" };
}

/** No load this run: no manifest, no claim. */
function nothingPlanned(found: Pick<FoundWork, "inFlight" | "pending" | "deferred">): LoadPlan {
  return {
    loadId: null,
    manifestKey: null,
    claimKey: null,
    objects: 0,
    bytes: 0,
    receipts: 0,
    sqls: [],
    loadErrorsSql: null,
    inFlight: found.inFlight,
    pending: found.pending,
    deferred: found.deferred,
  };
}

function planned(run: PlanningRun, found: FoundWork, work: Work, load: { loadId: string; manifestKey: string; sqls: string[] }, claimKey: string): LoadPlan {
  const { objects, receipts } = work;
  return {
    loadId: load.loadId,
    manifestKey: load.manifestKey,
    claimKey,
    objects: objects.length,
    bytes: objects.reduce((sum, o) => sum + o.size, 0),
    receipts: new Set(receipts.map((r) => r.batch_id)).size,
    sqls: load.sqls,
    loadErrorsSql: objects.length > 0 ? buildLoadErrorsQuery({ fileUrls: objects.map((o) => objectUrl(run.deps.bucket, o.key)), since: run.startedAt }) : null,
    pending: found.pending,
    deferred: found.deferred,
    inFlight: found.inFlight,
    via: found.via,
  };
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
