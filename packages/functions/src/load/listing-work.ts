import { LOADED_OBJECT_KEYS, type LoadReceipt } from "@freshet/core";
import { heldValues } from "./held-values.ts";
import { listProcessed } from "./list-processed.ts";
import { batchIdOfKey, compareKeys } from "./manifest.ts";
import { findReceipts, findUnrecordedReceipts } from "./receipts.ts";
import type { FoundWork, PlannerDeps, PlanningRun, ProcessedObject, Work, WorkSource } from "./types.ts";

/** The transformer's max event age (7 days) plus one: older days get no new processed objects. */
export const LOOKBACK_DAYS = 8;
/**
 * The transformer writes a batch's receipt after its data objects. An object whose receipt is
 * missing is left for the next run for this long; after it, the transformer must have crashed
 * between the two writes and the object is loaded without its accounting (reported).
 */
export const RECEIPT_GRACE_MS = 10 * 60_000;

/**
 * The processed objects of the lookback not in the ledger, by listing `processed/`: the hourly
 * reconciliation, and the planner's source whenever receipts cannot say (receipt-work.ts).
 * Objects whose receipt is missing wait `RECEIPT_GRACE_MS`, then load without it (reported);
 * receipts of batches with no processed object ride along.
 */
export const listingWork = { name: "listing", find: findByListing } satisfies WorkSource;

const NO_WORK: Work = { objects: [], receipts: [], late: [], smaller: () => undefined };

async function findByListing(run: PlanningRun): Promise<FoundWork> {
  const { deps, now, maxObjects } = run;
  // Claims before the ledger (see liveClaims).
  const claimed = await run.claims;
  const listed = await listProcessed(deps.s3, deps.bucket, run.startedAt, LOOKBACK_DAYS);
  // Batches with no processed object: their receipts ride along with the next load (or make one).
  const skipReceipts = new Set([...listed.map((o) => batchIdOfKey(o.key)), ...claimed.receipts]);
  const [loaded, extra] = await Promise.all([
    heldValues(deps, LOADED_OBJECT_KEYS, listed.map((o) => o.key)),
    findUnrecordedReceipts(deps, now, LOOKBACK_DAYS, skipReceipts, maxObjects),
  ]);
  const unloaded = listed.filter((o) => !loaded.has(o.key));
  const pending = unloaded.filter((o) => !claimed.objects.has(o.key)).sort((a, b) => compareKeys(a.key, b.key));
  const inFlight = unloaded.length - pending.length;
  if (pending.length === 0 && extra.length === 0) return { via: "listing", work: NO_WORK, pending: 0, deferred: 0, inFlight };

  // Receipts for a few more than one batch: deferred objects must not starve the load.
  const { ready, late, deferred, receipts } = await withReceipts(deps, now, pending.slice(0, maxObjects * 2));
  return { via: "listing", work: listedWork(ready.slice(0, maxObjects), extra, receipts, late), pending: pending.length, deferred, inFlight };
}

/**
 * The candidates' receipts, and which candidates are ready: those with a receipt, and those past
 * the grace period without one (`late`); the others are deferred to a later run.
 */
async function withReceipts(
  deps: PlannerDeps,
  now: Date,
  candidates: readonly ProcessedObject[],
): Promise<{ ready: ProcessedObject[]; late: string[]; deferred: number; receipts: ReadonlyMap<string, LoadReceipt> }> {
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
  return { ready, late, deferred, receipts };
}

/**
 * Listed objects with their batches' receipts, and receipts that have no object (`extra`). A
 * smaller one halves the extra receipts while there are several (or one beside at most one
 * object), else the objects.
 * If any of the objects is `late` (no receipt past the grace), the work is the late ones alone
 * (see `unaccountedWork`); the others and the extra receipts wait for the next run.
 */
export function listedWork(objects: readonly ProcessedObject[], extra: readonly LoadReceipt[], receipts: ReadonlyMap<string, LoadReceipt>, late: readonly string[]): Work {
  const lateKeys = new Set(late);
  const orphans = objects.filter((o) => lateKeys.has(o.key));
  if (orphans.length > 0) return unaccountedWork(orphans);
  return {
    objects,
    receipts: [...receiptsOf(objects, receipts), ...extra],
    late: [],
    smaller() {
      if (objects.length + extra.length <= 1) return undefined;
      if (extra.length > 1 || (extra.length === 1 && objects.length <= 1)) return listedWork(objects, extra.slice(0, Math.floor(extra.length / 2)), receipts, []);
      return listedWork(objects.slice(0, Math.ceil(objects.length / 2)), extra, receipts, []);
    },
  };
}

/**
 * Objects without a receipt, loaded alone and left out of the accounting (core's
 * `LoadRequest.unaccounted`): a transformer that died before its receipt wrote them, and its
 * retried records were written and counted again under other keys. Every object is `late`.
 */
function unaccountedWork(objects: readonly ProcessedObject[]): Work {
  return {
    objects,
    receipts: [],
    late: objects.map((o) => o.key),
    smaller: () => (objects.length <= 1 ? undefined : unaccountedWork(objects.slice(0, Math.ceil(objects.length / 2)))),
  };
}

/** The receipts of these objects' batches, each once, in the objects' order. */
function receiptsOf(objects: readonly ProcessedObject[], receipts: ReadonlyMap<string, LoadReceipt>): LoadReceipt[] {
  const ids = new Set(objects.map((o) => batchIdOfKey(o.key)));
  return [...ids].flatMap((id) => {
    const r = receipts.get(id);
    return r ? [r] : [];
  });
}
