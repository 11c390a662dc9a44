import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES, LOADED_OBJECT_KEYS, partitionOf, partitionPath, RECORDED_BATCH_IDS, TRANSFORMER_EVENT_SOURCE, windowLabel, type LoadReceipt } from "@freshet/core";
import { forEachLimited } from "../shared/for-each-limited.ts";
import type { Claimed } from "./claims.ts";
import { heldValues } from "./held-values.ts";
import { listPrefix } from "./list-processed.ts";
import { batchIdOfKey, compareKeys, type ProcessedObject } from "./manifest.ts";
import type { PlannerDeps } from "./plan.ts";
import { readBatchReceipt } from "./receipts.ts";

const HOUR_MS = 3_600_000;
const PARALLEL = 16;

/**
 * How far back a receipt can still appear: a batch's receipt is written within the stream's
 * maximum record age of its arrival (after that the records go to the on-failure destination
 * and no receipt is ever written), plus two hours for retries and clock skew.
 */
export const RECEIPT_LATENESS_MS = TRANSFORMER_EVENT_SOURCE.maximumRecordAgeInSeconds * 1000 + 2 * HOUR_MS;

/** Where the planner keeps its receipts watermark (`manifests/state/` is the planner's). */
export const PLANNER_STATE_KEY = `${LAKE_PREFIXES.manifests}state/load-planner.json`;

interface PlannerState {
  /** Oldest arrival hour (`YYYY-MM-DDTHH`) that may hold a receipt no load has recorded. */
  readonly receiptsFrom: string;
}

/** One batch to load whole: its receipt and its processed objects not yet in the ledger. */
export interface ReceiptBatch {
  readonly receipt: LoadReceipt;
  readonly objects: readonly ProcessedObject[];
}

export interface ReceiptWork {
  readonly batches: readonly ReceiptBatch[];
  /** Processed objects of the receipts read that are not loaded yet, these batches' included. */
  readonly pending: number;
  /** Processed objects a receipt names that the lake does not hold (reported, not loaded). */
  readonly missing: readonly string[];
}

/**
 * The next batches to load, found from batch receipts instead of by listing `processed/`.
 * Receipts live under their batch's arrival hour, name every object the batch wrote, and are
 * written after those objects; so the receipts no load has recorded, from the watermark on, are
 * exactly the work left, and listing them costs a few hours of receipts however large the lake.
 * Batches are taken whole, so a recorded receipt means all its objects are loaded. Returns
 * undefined when a receipt does not name its objects (written before receipts did): the caller
 * then plans by listing, as it also does hourly to catch objects whose receipt was never written.
 */
export async function workFromReceipts(deps: PlannerDeps, now: Date, claims: Promise<Claimed>, maxObjects: number): Promise<ReceiptWork | undefined> {
  const floor = hourOf(new Date(now.getTime() - RECEIPT_LATENESS_MS));
  const end = hourOf(new Date(now.getTime() + HOUR_MS));
  // The hours since the floor are listed while the watermark is read; older ones only if it says so.
  const [state, recent] = await Promise.all([readState(deps), listReceiptHours(deps, floor, end)]);
  const older = state !== undefined && state.receiptsFrom < floor ? await listReceiptHours(deps, state.receiptsFrom, previousHour(floor)) : [];
  const listed = [...older, ...recent].sort(compareKeys);
  // Claims are listed before anything asks the warehouse what is recorded (see liveClaims).
  const claimed = await claims;
  const recorded = await heldValues(deps, RECORDED_BATCH_IDS, listed.map(batchIdOfKey));
  const unrecorded = listed.filter((key) => !recorded.has(batchIdOfKey(key)));

  // The watermark moves to the oldest hour still holding an unrecorded receipt (claimed ones too:
  // they are in flight, not loaded), never past the lateness floor.
  const oldest = unrecorded.length > 0 ? hourOfReceiptKey(unrecorded[0]!) : floor;
  const next = oldest < floor ? oldest : floor;
  if ((state?.receiptsFrom ?? floor) !== next) await writeState(deps, { receiptsFrom: next });

  const open = unrecorded.filter((key) => !claimed.receipts.has(batchIdOfKey(key)));
  const read: { receipt: LoadReceipt; objects: string[] }[] = [];
  let objectCount = 0;
  for (let i = 0; i < open.length && objectCount < maxObjects; i += PARALLEL) {
    const chunk = open.slice(i, i + PARALLEL);
    const receipts = await Promise.all(chunk.map((key) => readBatchReceipt(deps.s3, deps.bucket, key)));
    for (const r of receipts) {
      if (r.objects === undefined) return undefined;
      const objects = r.objects.filter((k) => k.startsWith(LAKE_PREFIXES.processed));
      read.push({ receipt: { batch_id: r.batch_id, windows: r.windows }, objects });
      objectCount += objects.length;
    }
  }

  const keys = read.flatMap((r) => r.objects);
  const [found, loaded] = await Promise.all([describeObjects(deps, keys), heldValues(deps, LOADED_OBJECT_KEYS, keys)]);
  const missing = keys.filter((k) => !found.has(k));
  const batches: ReceiptBatch[] = [];
  let taken = 0;
  let pending = 0;
  for (const r of read) {
    // A batch some of whose objects a running load holds (an older plan split it) waits for it.
    if (r.objects.some((k) => claimed.objects.has(k))) continue;
    const objects = r.objects.filter((k) => found.has(k) && !loaded.has(k)).map((k) => found.get(k)!);
    pending += objects.length;
    // Whole batches, at least one, up to maxObjects.
    if (batches.length > 0 && taken + objects.length > maxObjects) continue;
    if (taken >= maxObjects) continue;
    batches.push({ receipt: r.receipt, objects });
    taken += objects.length;
  }
  return { batches, pending, missing };
}

/** Receipt keys of the arrival hours `from`..`to` (`YYYY-MM-DDTHH`, inclusive), listed at once. */
async function listReceiptHours(deps: PlannerDeps, from: string, to: string): Promise<string[]> {
  const hours: string[] = [];
  for (let t = Date.parse(`${from}:00:00Z`); t <= Date.parse(`${to}:00:00Z`); t += HOUR_MS) hours.push(hourOf(new Date(t)));
  const pages = await Promise.all(hours.map((h) => listPrefix(deps.s3, deps.bucket, `${LAKE_PREFIXES.receipts}${partitionPath(partitionOf(new Date(`${h}:00:00Z`)))}/`)));
  return pages.flat().flatMap((o) => (o.Key !== undefined && o.Key.endsWith(".json") ? [o.Key] : []));
}

function previousHour(hour: string): string {
  return hourOf(new Date(Date.parse(`${hour}:00:00Z`) - HOUR_MS));
}

/**
 * Size and ETag of each object, by listing only past the oldest wanted key of each shard in its
 * hour folder: a shard's keys there grow with its sequence numbers, so the listing holds little
 * more than the wanted objects. (Listing, not HEAD: the planner never reads event data.)
 */
async function describeObjects(deps: PlannerDeps, keys: readonly string[]): Promise<Map<string, ProcessedObject>> {
  const wanted = new Set(keys);
  const groups = new Map<string, string>();
  for (const key of keys) {
    const prefix = /^(.*\/shardId-[0-9]+-)/.exec(key)?.[1] ?? key.slice(0, key.lastIndexOf("/") + 1);
    const first = groups.get(prefix);
    if (first === undefined || key < first) groups.set(prefix, key);
  }
  const found = new Map<string, ProcessedObject>();
  await forEachLimited([...groups], PARALLEL, async ([prefix, first]) => {
    for (const o of await listPrefix(deps.s3, deps.bucket, prefix, first.slice(0, -1))) {
      if (o.Key !== undefined && wanted.has(o.Key)) found.set(o.Key, { key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? null, lastModified: o.LastModified ?? null });
    }
  });
  return found;
}

async function readState(deps: PlannerDeps): Promise<PlannerState | undefined> {
  try {
    const out = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: PLANNER_STATE_KEY }));
    const parsed = JSON.parse((await out.Body?.transformToString("utf8")) ?? "") as Partial<PlannerState>;
    return typeof parsed.receiptsFrom === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(parsed.receiptsFrom) ? { receiptsFrom: parsed.receiptsFrom } : undefined;
  } catch (error) {
    // No state yet (or unreadable): start from the lateness floor; the hourly listing covers the rest.
    if (error instanceof SyntaxError || (error instanceof Error && error.name === "NoSuchKey")) return undefined;
    throw error;
  }
}

async function writeState(deps: PlannerDeps, state: PlannerState): Promise<void> {
  await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: PLANNER_STATE_KEY, Body: JSON.stringify(state), ContentType: "application/json" }));
}

/** `YYYY-MM-DDTHH` (UTC): the receipts' accounting window of an instant. */
function hourOf(instant: Date): string {
  return windowLabel(partitionOf(instant));
}

/** `receipts/dt=YYYY-MM-DD/hr=HH/<batchId>.json` → `YYYY-MM-DDTHH`. */
function hourOfReceiptKey(key: string): string {
  const match = /dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\//.exec(key);
  return match ? windowLabel({ dt: match[1]!, hr: match[2]! }) : "0000-00-00T00";
}
