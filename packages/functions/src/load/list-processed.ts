import type { S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES } from "@freshet/core";
import { daysOfLookback } from "./lake-time.ts";
import { listPrefix } from "./s3-objects.ts";
import type { ProcessedObject } from "./types.ts";

/**
 * The processed objects of the last `lookbackDays` event days (UTC), oldest partition first.
 * Processed objects are partitioned by event time and the transformer dead-letters events older
 * than its max age, so nothing new ever lands in an older day: listing those days is enough, and
 * the listing stays bounded however long the lake keeps processed/.
 */
export async function listProcessed(s3: S3Client, bucket: string, now: Date, lookbackDays: number): Promise<ProcessedObject[]> {
  const objects: ProcessedObject[] = [];
  // The days (one ahead too: clock skew) are listed at once (each a few requests), then taken oldest first.
  const listed = await Promise.all(daysOfLookback(now, lookbackDays).map((day) => listPrefix(s3, bucket, `${LAKE_PREFIXES.processed}dt=${day}/`)));
  for (const page of listed) {
    for (const o of page) {
      if (o.Key !== undefined && o.Key.endsWith(".ndjson.gz")) {
        objects.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? null, lastModified: o.LastModified ?? null });
      }
    }
  }
  return objects;
}
