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

/** A receipt as read: where, its accounting and the processed objects it names. */
interface ReadReceipt {
  readonly key: string;
  readonly receipt: LoadReceipt;
  readonly objects: readonly string[];
}

async function findFromReceipts(run: PlanningRun): Promise<FoundWork | undefined> {
  const { deps } = run;
  const listing = await unknownReceipts(run);
  const claimed = await run.claims;
  const candidates = listing.unknown.filter((key) => !claimed.receipts.has(batchIdOfKey(key)));
  // A warm planner knows the batches recorded before its last plan (recorded-batches.ts), so the
  // receipts it does not know are mostly unrecorded: they are read, and their objects looked up,
  // while the warehouse is asked which are recorded. One round trip to the warehouse, not two.
  const ahead = readWork(deps, candidates, run.maxObjects).catch(() => undefined);
  const [recorded, readAhead] = await Promise.all([recordedAmong(run, listing.unknown), ahead]);
  const isRecorded = (key: string) => recorded.has(batchIdOfKey(key));
  await moveWatermark(run, listing, listing.unknown.filter((key) => !isRecorded(key)));
  const work = await unrecordedWork(deps, readAhead, candidates.filter((key) => !isRecorded(key)), isRecorded, run.maxObjects);
  if (work === undefined) return undefined;
  const missing = work.read.flatMap((r) => r.objects).filter((k) => !work.found.has(k));
  if (missing.length > 0) deps.onMissingObjects?.(missing);
  const { batches, pending } = wholeBatches(work.read, work.found, work.loaded, claimed, run.maxObjects);
  return { via: "receipts", work: batchesWork(batches), pending, deferred: 0, inFlight: claimed.objects.size };
}

/**
 * The work of the unrecorded candidates, oldest first: what was read ahead less the recorded
 * batches (those the last loads just recorded, usually the oldest candidates), topped up from
 * the candidates after it when that falls short of `maxObjects`. Read afresh when reading ahead
 * failed or met a receipt naming no objects: that may have been a recorded receipt, which the
 * planner has no need to read.
 */
async function unrecordedWork(
  deps: PlannerDeps,
  ahead: ReadWork | undefined,
  unrecorded: readonly string[],
  isRecorded: (receiptKey: string) => boolean,
  maxObjects: number,
): Promise<ReadWork | undefined> {
  if (ahead === undefined) return readWork(deps, unrecorded, maxObjects);
  const read = ahead.read.filter((r) => !isRecorded(r.key));
  const objects = read.reduce((n, r) => n + r.objects.length, 0);
  const readKeys = new Set(ahead.read.map((r) => r.key));
  const rest = unrecorded.filter((key) => !readKeys.has(key));
  if (objects >= maxObjects || rest.length === 0) return { ...ahead, read };
  const more = await readWork(deps, rest, maxObjects - objects);
  if (more === undefined) return undefined;
  return { read: [...read, ...more.read], found: new Map([...ahead.found, ...more.found]), loaded: new Set([...ahead.loaded, ...more.loaded]) };
}

/** Receipts read in order (each naming its processed objects), which of those objects the lake holds and which the ledger. */
interface ReadWork {
  readonly read: readonly ReadReceipt[];
  readonly found: ReadonlyMap<string, ProcessedObject>;
  readonly loaded: ReadonlySet<string>;
}

/** The receipts at `keys` up to `maxObjects` objects (see readReceipts), with their objects described and looked up; undefined as readReceipts. */
async function readWork(deps: PlannerDeps, keys: readonly string[], maxObjects: number): Promise<ReadWork | undefined> {
  const read = await readReceipts(deps, keys, maxObjects);
  if (read === undefined) return undefined;
  const objects = read.flatMap((r) => r.objects);
  const [found, loaded] = await Promise.all([describeObjects(deps.s3, deps.bucket, objects), heldValues(deps, LOADED_OBJECT_KEYS, objects)]);
  return { read, found, loaded };
}

/** The listed receipt keys this planner does not know recorded, oldest first, and what the watermark needs. */
interface ReceiptListing {
  readonly unknown: readonly string[];
  /** The hour the watermark named when read (undefined: none yet). */
  readonly watermark: string | undefined;
  /** The lateness floor's hour: the watermark never moves past it. */
  readonly floor: string;
}

/**
 * Receipt keys no load is known to have recorded, oldest first: the hours since the lateness
 * floor, and older ones from the watermark on, less those this planner saw recorded.
 */
async function unknownReceipts(run: PlanningRun): Promise<ReceiptListing> {
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
  return { unknown, watermark, floor };
}

/** The batch ids of `keys` that `batch_receipts` holds, remembered as seen recorded. */
async function recordedAmong(run: PlanningRun, keys: readonly string[]): Promise<Set<string>> {
  const recorded = await heldValues(run.deps, RECORDED_BATCH_IDS, keys.map(batchIdOfKey));
  run.deps.recordedBatches?.remember(recorded, run.now.getTime());
  return recorded;
}

/**
 * The watermark moves to the oldest hour still holding an unrecorded receipt (claimed ones too:
 * they are in flight, not loaded), never past the lateness floor.
 */
async function moveWatermark(run: PlanningRun, { watermark, floor }: ReceiptListing, unrecorded: readonly string[]): Promise<void> {
  const oldest = unrecorded.length > 0 ? hourOfReceiptKey(unrecorded[0]!) : floor;
  const next = oldest < floor ? oldest : floor;
  if ((watermark ?? floor) !== next) await writeWatermark(run.deps.s3, run.deps.bucket, next);
}

/**
 * The receipts at these keys, in order, until they name `maxObjects` processed objects (a few
 * at once); undefined as soon as one does not name its objects.
 */
async function readReceipts(deps: PlannerDeps, keys: readonly string[], maxObjects: number): Promise<ReadReceipt[] | undefined> {
  const read: ReadReceipt[] = [];
  let objectCount = 0;
  for (let i = 0; i < keys.length && objectCount < maxObjects; i += PARALLEL) {
    const chunk = keys.slice(i, i + PARALLEL);
    const receipts = await Promise.all(chunk.map((key) => readBatchReceipt(deps.s3, deps.bucket, key)));
    for (const [n, r] of receipts.entries()) {
      if (r.objects === undefined) return undefined;
      const objects = r.objects.filter((k) => k.startsWith(LAKE_PREFIXES.processed));
      read.push({ key: chunk[n]!, receipt: { batch_id: r.batch_id, windows: r.windows }, objects });
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
