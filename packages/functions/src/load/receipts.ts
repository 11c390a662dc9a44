import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES, type LoadReceipt, type WindowCounts } from "@freshet/core";
import { forEachLimited } from "../shared/for-each-limited.ts";
import { ReceiptReadError } from "./errors.ts";
import { DAY_MS, listPrefix } from "./list-processed.ts";
import { batchIdOfKey } from "./manifest.ts";

const PARALLEL_GETS = 16;

/**
 * The receipts of these batches, by batch id. A receipt lives under the batch's *arrival* hour
 * (`receipts/dt=…/hr=…/<batchId>.json`), a processed object under its events' hour; events arrive
 * after they occur (up to a little clock skew), so the receipt is in a day from the object's
 * event day − 1 to today + 1. Batches whose receipt is not (yet) written are absent from the map.
 */
export async function findReceipts(
  s3: S3Client,
  bucket: string,
  objectKeys: readonly string[],
  now: Date,
): Promise<Map<string, LoadReceipt>> {
  const wanted = new Set(objectKeys.map(batchIdOfKey));
  const found = new Map<string, string>();
  if (wanted.size === 0) return new Map();
  const oldest = objectKeys.map(eventDayOf).reduce((a, b) => (a < b ? a : b));
  for (const day of daysFrom(oldest, now)) {
    for (const o of await listPrefix(s3, bucket, `${LAKE_PREFIXES.receipts}dt=${day}/`)) {
      if (o.Key === undefined || !o.Key.endsWith(".json")) continue;
      const id = o.Key.slice(o.Key.lastIndexOf("/") + 1, -".json".length);
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

async function readReceipt(s3: S3Client, bucket: string, key: string): Promise<LoadReceipt> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await out.Body?.transformToString("utf8")) ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ReceiptReadError(`receipt ${key} is not JSON`, { cause });
  }
  const r = parsed as { batch_id?: unknown; windows?: unknown };
  if (typeof r.batch_id !== "string" || !Array.isArray(r.windows)) throw new ReceiptReadError(`receipt ${key} has no batch_id or windows`);
  return { batch_id: r.batch_id, windows: r.windows as WindowCounts[] };
}

/** `processed/dt=YYYY-MM-DD/…` → `YYYY-MM-DD` (the event day). */
function eventDayOf(key: string): string {
  const match = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(`/${key}`);
  if (!match?.[1]) throw new ReceiptReadError(`not a partitioned processed key: ${key}`);
  return match[1];
}

/** From the day before `first` through the day after `now`, as `YYYY-MM-DD`. */
function daysFrom(first: string, now: Date): string[] {
  const days: string[] = [];
  const last = now.getTime() + DAY_MS;
  for (let t = Date.parse(`${first}T00:00:00Z`) - DAY_MS; t <= last; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
