import { createHash } from "node:crypto";
import { LAKE_PREFIXES } from "@freshet/core";
import { putJson } from "./s3-objects.ts";
import type { LakeAccess, ProcessedObject } from "./types.ts";

/** Redshift's COPY manifest: every file mandatory, so a missing one fails the load (not skips it). */
export interface CopyManifest {
  readonly entries: readonly { readonly url: string; readonly mandatory: true; readonly meta: { readonly content_length: number } }[];
}

/**
 * A load's id is a digest of the object keys it loads (sorted): two runs that plan the same
 * objects plan the same load — same id, same manifest key, same bytes — so a second or crashed
 * run repeats the first one's load instead of starting another. (A receipts-only load is named
 * by its batch ids the same way.)
 */
export function loadIdOf(objects: readonly { readonly key: string }[]): string {
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

/** Writes the load's manifest: overlapping runs that plan the same load write the same bytes. */
export async function writeManifest(lake: LakeAccess, manifestKey: string, objects: readonly ProcessedObject[]): Promise<void> {
  await putJson(lake.s3, lake.bucket, manifestKey, manifestOf(lake.bucket, objects));
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
