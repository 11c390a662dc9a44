import { createHash } from "node:crypto";
import { LAKE_PREFIXES } from "@freshet/core";

/** A processed object as ListObjectsV2 reports it. */
export interface ProcessedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string | null;
  readonly lastModified: Date | null;
}

/** Redshift's COPY manifest: every file mandatory, so a missing one fails the load (not skips it). */
export interface CopyManifest {
  readonly entries: readonly { readonly url: string; readonly mandatory: true; readonly meta: { readonly content_length: number } }[];
}

/**
 * A load's id is a digest of the object keys it loads (sorted): two runs that plan the same
 * objects plan the same load — same id, same manifest key, same bytes — so a second or crashed
 * run repeats the first one's load instead of starting another.
 */
export function loadIdOf(objects: readonly ProcessedObject[]): string {
  const hash = createHash("sha256");
  for (const key of objects.map((o) => o.key).sort()) hash.update(key).update("\n");
  return `load-${hash.digest("hex").slice(0, 32)}`;
}

export function manifestKeyOf(loadId: string): string {
  return `${LAKE_PREFIXES.manifests}${loadId}.json`;
}

export function objectUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export function manifestOf(bucket: string, objects: readonly ProcessedObject[]): CopyManifest {
  return {
    entries: [...objects]
      .sort((a, b) => compareKeys(a.key, b.key))
      .map((o) => ({ url: objectUrl(bucket, o.key), mandatory: true, meta: { content_length: o.size } })),
  };
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `processed/…/<batchId>.ndjson.gz` or `receipts/…/<batchId>.json` → `<batchId>`: a batch's objects and receipt share it. */
export function batchIdOfKey(key: string): string {
  const name = key.slice(key.lastIndexOf("/") + 1);
  for (const extension of [".ndjson.gz", ".json"]) if (name.endsWith(extension)) return name.slice(0, -extension.length);
  return name;
}
