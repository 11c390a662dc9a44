import { LAKE_PREFIXES, LOADED_OBJECT_KEYS, RECORDED_BATCH_IDS, TRANSFORMER_EVENT_SOURCE, type LoadReceipt } from "@freshet/core";
import type { Claimed } from "./claims.ts";
import { describeObjects } from "./describe-objects.ts";
import { heldValues } from "./held-values.ts";
import { HOUR_MS, hourOf, hourOfReceiptKey, previousHour } from "./lake-time.ts";
import { batchIdOfKey, compareKeys } from "./manifest.ts";
import { listReceiptHours, readBatchReceipt } from "./receipts.ts";
import { readWatermark, writeWatermark } from "./receipts-watermark.ts";
import type { FoundWork, PlannerDeps, PlanningRun, ProcessedObject, Work, WorkSource } from "./types.ts";

/**
 * How far back a receipt can still appear: a batch's receipt is written within the stream's
 * maximum record age of its arrival (after that the records go to the on-failure destination
 * and no receipt is ever written), plus two hours for retries and clock skew.
 */
export const RECEIPT_LATENESS_MS = TRANSFORMER_EVENT_SOURCE.maximumRecordAgeInSeconds * 1000 + 2 * HOUR_MS;

const PARALLEL = 16;

/**
 * The next batches to load, found from batch receipts instead of by listing `processed/` (the
 * planner's every-run source). Receipts live under their batch's arrival hour, name every object
 * the batch wrote, and are written after those objects; so the receipts no load has recorded,
 * from the watermark on, are exactly the work left, and listing them costs a few hours of
 * receipts however large the lake. Batches are taken whole, so a recorded receipt means all its
 * objects are loaded. Finds nothing (undefined) when a receipt does not name its objects
 * (written before receipts did): the planner then lists, as it also does hourly to catch
 * objects whose receipt was never written (listing-work.ts).
 */
export const receiptWork = { name: "receipts", find: findFromReceipts } satisfies WorkSource;

/** One batch to load whole: its receipt and its processed objects not yet in the ledger. */
export interface ReceiptBatch {
  readonly receipt: LoadReceipt;
  readonly objects: readonly ProcessedObject[];
}

/** A receipt as read: its accounting and the processed objects it names. */
interface ReadReceipt {
  readonly receipt: LoadReceipt;
  readonly objects: readonly string[];
}

async function findFromReceipts(run: PlanningRun): Promise<FoundWork | undefined> {
  const { deps } = run;
  const unrecorded = await unrecordedReceipts(run);
  const claimed = await run.claims;
  const read = await readReceipts(deps, unrecorded.filter((key) => !claimed.receipts.has(batchIdOfKey(key))), run.maxObjects);
  if (read === undefined) return undefined;
  const keys = read.flatMap((r) => r.objects);
  const [found, loaded] = await Promise.all([describeObjects(deps.s3, deps.bucket, keys), heldValues(deps, LOADED_OBJECT_KEYS, keys)]);
  const missing = keys.filter((k) => !found.has(k));
  if (missing.length > 0) deps.onMissingObjects?.(missing);
  const { batches, pending } = wholeBatches(read, found, loaded, claimed, run.maxObjects);
  return { via: "receipts", work: batchesWork(batches), pending, deferred: 0, inFlight: claimed.objects.size };
}

/**
 * Receipt keys no load has recorded, oldest first: the hours since the lateness floor, and older
 * ones from the watermark on. Moves the watermark to the oldest hour still holding one.
 */
async function unrecordedReceipts(run: PlanningRun): Promise<string[]> {
  const { deps, now } = run;
  const floor = hourOf(new Date(now.getTime() - RECEIPT_LATENESS_MS));
  const end = hourOf(new Date(now.getTime() + HOUR_MS));
  // The hours since the floor are listed while the watermark is read; older ones only if it says so.
  const [watermark, recent] = await Promise.all([readWatermark(deps.s3, deps.bucket), listReceiptHours(deps.s3, deps.bucket, floor, end)]);
  const older = watermark !== undefined && watermark < floor ? await listReceiptHours(deps.s3, deps.bucket, watermark, previousHour(floor)) : [];
  const listed = [...older, ...recent].sort(compareKeys);
  // Claims are listed before anything asks the warehouse what is recorded (see liveClaims).
  await run.claims;
  // Only about batches this planner has not seen recorded already (recorded-batches.ts).
  const at = now.getTime();
  const unknown = listed.filter((key) => !(deps.recordedBatches?.has(batchIdOfKey(key), at) ?? false));
  const recorded = await heldValues(deps, RECORDED_BATCH_IDS, unknown.map(batchIdOfKey));
  deps.recordedBatches?.remember(recorded, at);
  const unrecorded = unknown.filter((key) => !recorded.has(batchIdOfKey(key)));

  // The watermark moves to the oldest hour still holding an unrecorded receipt (claimed ones too:
  // they are in flight, not loaded), never past the lateness floor.
  const oldest = unrecorded.length > 0 ? hourOfReceiptKey(unrecorded[0]!) : floor;
  const next = oldest < floor ? oldest : floor;
  if ((watermark ?? floor) !== next) await writeWatermark(deps.s3, deps.bucket, next);
  return unrecorded;
}

/**
 * The receipts at these keys, in order, until they name `maxObjects` processed objects (a few
 * at once); undefined as soon as one does not name its objects.
 */
async function readReceipts(deps: PlannerDeps, keys: readonly string[], maxObjects: number): Promise<ReadReceipt[] | undefined> {
  const read: ReadReceipt[] = [];
  let objectCount = 0;
  for (let i = 0; i < keys.length && objectCount < maxObjects; i += PARALLEL) {
    const receipts = await Promise.all(keys.slice(i, i + PARALLEL).map((key) => readBatchReceipt(deps.s3, deps.bucket, key)));
    for (const r of receipts) {
      if (r.objects === undefined) return undefined;
      const objects = r.objects.filter((k) => k.startsWith(LAKE_PREFIXES.processed));
      read.push({ receipt: { batch_id: r.batch_id, windows: r.windows }, objects });
      objectCount += objects.length;
    }
  }
  return read;
}

/**
 * Whole batches, oldest first, at least one, up to `maxObjects` objects; each with its objects the
 * lake holds and the ledger does not. `pending` counts those objects over every batch read.
 */
function wholeBatches(
  read: readonly ReadReceipt[],
  found: ReadonlyMap<string, ProcessedObject>,
  loaded: ReadonlySet<string>,
  claimed: Claimed,
  maxObjects: number,
): { batches: ReceiptBatch[]; pending: number } {
  const batches: ReceiptBatch[] = [];
  let taken = 0;
  let pending = 0;
  for (const r of read) {
    // A batch some of whose objects a running load holds (an older plan split it) waits for it.
    if (r.objects.some((k) => claimed.objects.has(k))) continue;
    const objects = r.objects.filter((k) => found.has(k) && !loaded.has(k)).map((k) => found.get(k)!);
    pending += objects.length;
    if (batches.length > 0 && taken + objects.length > maxObjects) continue;
    if (taken >= maxObjects) continue;
    batches.push({ receipt: r.receipt, objects });
    taken += objects.length;
  }
  return { batches, pending };
}

/** Whole batches as one load: a smaller one keeps the first half of the batches. */
export function batchesWork(batches: readonly ReceiptBatch[]): Work {
  return {
    objects: batches.flatMap((b) => b.objects).sort((a, b) => compareKeys(a.key, b.key)),
    receipts: batches.map((b) => b.receipt),
    late: [],
    smaller: () => (batches.length <= 1 ? undefined : batchesWork(batches.slice(0, Math.ceil(batches.length / 2)))),
  };
}
