import type { S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES, partitionOf, partitionPath, RECORDED_BATCH_IDS, type LoadReceipt, type WindowCounts } from "@freshet/core";
import { forEachLimited } from "../shared/for-each-limited.ts";
import { ReceiptReadError } from "./errors.ts";
import { heldValues } from "./held-values.ts";
import { daysAround, daysOfLookback, hoursFrom } from "./lake-time.ts";
import { batchIdOfKey } from "./manifest.ts";
import { listPrefix, readText } from "./s3-objects.ts";
import type { LakeAccess, WarehouseAccess } from "./types.ts";

/*
 * Batch receipts under `receipts/dt=…/hr=…/<batchId>.json`, filed under the batch's *arrival*
 * hour: finding and reading them. The transformer writes a batch's receipt after its objects.
 */

const PARALLEL_GETS = 16;

/** A receipt's accounting and, when it names them (receipts do since they list objects), its batch's object keys. */
export type BatchReceiptFile = LoadReceipt & { readonly objects?: readonly string[] };

/** Receipt keys of the arrival hours `from`..`to` (`YYYY-MM-DDTHH`, inclusive), listed at once. */
export async function listReceiptHours(s3: S3Client, bucket: string, from: string, to: string): Promise<string[]> {
  const pages = await Promise.all(
    hoursFrom(from, to).map((h) => listPrefix(s3, bucket, `${LAKE_PREFIXES.receipts}${partitionPath(partitionOf(new Date(`${h}:00:00Z`)))}/`)),
  );
  return pages.flat().flatMap((o) => (o.Key !== undefined && o.Key.endsWith(".json") ? [o.Key] : []));
}

/**
 * The receipts of these batches, by batch id. A processed object lives under its events' hour;
 * events arrive after they occur (up to a little clock skew), so the receipt is in a day from the
 * object's event day − 1 to today + 1. Batches whose receipt is not (yet) written are absent from the map.
 */
export async function findReceipts(s3: S3Client, bucket: string, objectKeys: readonly string[], now: Date): Promise<Map<string, LoadReceipt>> {
  const wanted = new Set(objectKeys.map(batchIdOfKey));
  const found = new Map<string, string>();
  if (wanted.size === 0) return new Map();
  const oldest = objectKeys.map(eventDayOf).reduce((a, b) => (a < b ? a : b));
  for (const day of daysAround(oldest, now)) {
    for (const o of await listPrefix(s3, bucket, `${LAKE_PREFIXES.receipts}dt=${day}/`)) {
      if (o.Key === undefined || !o.Key.endsWith(".json")) continue;
      const id = batchIdOfKey(o.Key);
      if (wanted.has(id)) found.set(id, o.Key);
    }
    if (found.size === wanted.size) break;
  }
  const receipts = new Map<string, LoadReceipt>();
  await forEachLimited([...found], PARALLEL_GETS, async ([id, key]) => {
    receipts.set(id, await readReceipt(s3, bucket, key));
  });
  return receipts;
}

/**
 * Receipts of batches that wrote no processed object (every record filtered or dead-lettered)
 * and that no load has recorded yet, oldest first, at most `limit`. No processed object carries
 * them into a load, so the planner attaches them to the next one. Receipts are listed from
 * `lookbackDays` before `now` to the day after; batches with a listed processed object
 * (`skipIds`) are left to `findReceipts`, the rest are asked of `batch_receipts` and only the
 * unrecorded ones are read.
 */
export async function findUnrecordedReceipts(
  deps: LakeAccess & WarehouseAccess,
  now: Date,
  lookbackDays: number,
  skipIds: ReadonlySet<string>,
  limit: number,
): Promise<LoadReceipt[]> {
  const keys = new Map<string, string>();
  const listed = await Promise.all(daysOfLookback(now, lookbackDays).map((day) => listPrefix(deps.s3, deps.bucket, `${LAKE_PREFIXES.receipts}dt=${day}/`)));
  for (const page of listed) {
    for (const o of page) {
      if (o.Key === undefined || !o.Key.endsWith(".json")) continue;
      const id = batchIdOfKey(o.Key);
      if (!skipIds.has(id)) keys.set(id, o.Key);
    }
  }
  const recorded = await heldValues(deps, RECORDED_BATCH_IDS, [...keys.keys()]);
  const unrecorded = [...keys].filter(([id]) => !recorded.has(id));
  const read: { key: string; receipt: LoadReceipt; processed: number }[] = [];
  await forEachLimited(unrecorded, PARALLEL_GETS, async ([, key]) => {
    const receipt = await readReceipt(deps.s3, deps.bucket, key);
    read.push({ key, receipt, processed: receipt.windows.reduce((sum, w) => sum + w.processed, 0) });
  });
  return read
    .filter((r) => r.processed === 0)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, limit)
    .map((r) => r.receipt);
}

/** A receipt's accounting and its object keys when it names them. */
export async function readBatchReceipt(s3: S3Client, bucket: string, key: string): Promise<BatchReceiptFile> {
  const text = await readText(s3, bucket, key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ReceiptReadError(`receipt ${key} is not JSON`, { cause });
  }
  const r = parsed as { batch_id?: unknown; windows?: unknown; objects?: unknown };
  if (typeof r.batch_id !== "string" || !Array.isArray(r.windows)) throw new ReceiptReadError(`receipt ${key} has no batch_id or windows`);
  const objects = Array.isArray(r.objects) && r.objects.every((o) => typeof o === "string") ? (r.objects as string[]) : undefined;
  return { batch_id: r.batch_id, windows: r.windows as WindowCounts[], ...(objects ? { objects } : {}) };
}

/** The accounting part of a receipt. */
async function readReceipt(s3: S3Client, bucket: string, key: string): Promise<LoadReceipt> {
  const { batch_id, windows } = await readBatchReceipt(s3, bucket, key);
  return { batch_id, windows };
}

/** `processed/dt=YYYY-MM-DD/…` → `YYYY-MM-DD` (the event day). */
function eventDayOf(key: string): string {
  const match = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(`/${key}`);
  if (!match?.[1]) throw new ReceiptReadError(`not a partitioned processed key: ${key}`);
  return match[1];
}
