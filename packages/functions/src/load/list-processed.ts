import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES } from "@freshet/core";
import type { ProcessedObject } from "./manifest.ts";

export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) of the day `days` before `now`. */
export function dayBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The processed objects of the last `lookbackDays` event days (UTC), oldest partition first.
 * Processed objects are partitioned by event time and the transformer dead-letters events older
 * than its max age, so nothing new ever lands in an older day: listing those days is enough, and
 * the listing stays bounded however long the lake keeps processed/.
 */
export async function listProcessed(s3: S3Client, bucket: string, now: Date, lookbackDays: number): Promise<ProcessedObject[]> {
  const objects: ProcessedObject[] = [];
  // One day ahead too: the transformer accepts events a little in the future (clock skew).
  // The days are listed at once (each a few requests), then taken oldest first.
  const days = Array.from({ length: lookbackDays + 2 }, (_, i) => lookbackDays - i);
  const listed = await Promise.all(days.map((day) => listPrefix(s3, bucket, `${LAKE_PREFIXES.processed}dt=${dayBefore(now, day)}/`)));
  for (const page of listed) {
    for (const o of page) {
      if (o.Key !== undefined && o.Key.endsWith(".ndjson.gz")) {
        objects.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? null, lastModified: o.LastModified ?? null });
      }
    }
  }
  return objects;
}

/** Every object under a prefix (after `startAfter`, if given), all pages. */
export async function listPrefix(
  s3: S3Client,
  bucket: string,
  Prefix: string,
  startAfter?: string,
): Promise<{ Key?: string; Size?: number; ETag?: string; LastModified?: Date }[]> {
  const out: { Key?: string; Size?: number; ETag?: string; LastModified?: Date }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix, ContinuationToken, ...(startAfter !== undefined && ContinuationToken === undefined ? { StartAfter: startAfter } : {}) }),
    );
    out.push(...(page.Contents ?? []));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return out;
}
