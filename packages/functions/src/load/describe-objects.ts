import type { S3Client } from "@aws-sdk/client-s3";
import { forEachLimited } from "../shared/for-each-limited.ts";
import { listPrefix } from "./s3-objects.ts";
import type { ProcessedObject } from "./types.ts";

/** Listings running at once. */
const PARALLEL = 16;

/**
 * Size and ETag of each object, by listing only past the oldest wanted key of each shard in its
 * hour folder: a shard's keys there grow with its sequence numbers, so the listing holds little
 * more than the wanted objects. (Listing, not HEAD: the planner never reads event data.)
 * Keys the lake does not hold are absent from the map.
 */
export async function describeObjects(s3: S3Client, bucket: string, keys: readonly string[]): Promise<Map<string, ProcessedObject>> {
  const wanted = new Set(keys);
  const groups = new Map<string, string>();
  for (const key of keys) {
    const prefix = /^(.*\/shardId-[0-9]+-)/.exec(key)?.[1] ?? key.slice(0, key.lastIndexOf("/") + 1);
    const first = groups.get(prefix);
    if (first === undefined || key < first) groups.set(prefix, key);
  }
  const found = new Map<string, ProcessedObject>();
  await forEachLimited([...groups], PARALLEL, async ([prefix, first]) => {
    for (const o of await listPrefix(s3, bucket, prefix, first.slice(0, -1))) {
      if (o.Key !== undefined && wanted.has(o.Key)) found.set(o.Key, { key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? null, lastModified: o.LastModified ?? null });
    }
  });
  return found;
}
