import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BatchPlan, LakeObject } from "@freshet/core";
import { gzipSync, type ZlibOptions } from "node:zlib";
import { LakeWriteError } from "../errors.ts";
import { forEachLimited } from "../shared/for-each-limited.ts";

/**
 * Uploads in flight per batch. A batch has a raw object, a processed object per event hour and a
 * few dead-letter objects (about ten in all); a handful in parallel hides S3's latency, while
 * each upload in flight holds its compressed body, an SDK request and a socket.
 */
const MAX_PARALLEL_PUTS = 4;

/** Level 1: these objects are read once by COPY; speed matters more than the last few percent. */
const GZIP: ZlibOptions = { level: 1 };

/**
 * Writes a batch's objects: data objects first, then the receipt, so a receipt only ever exists
 * for a batch whose every object landed. Keys are deterministic, so a retry overwrites.
 */
export async function writeBatch(client: S3Client, bucket: string, plan: BatchPlan): Promise<void> {
  const data = plan.objects.filter((o) => o.kind !== "receipt");
  const receipts = plan.objects.filter((o) => o.kind === "receipt");
  try {
    await forEachLimited(data, MAX_PARALLEL_PUTS, (object) => putObject(client, bucket, object));
    await forEachLimited(receipts, MAX_PARALLEL_PUTS, (object) => putObject(client, bucket, object));
  } catch (cause) {
    throw new LakeWriteError(`batch ${plan.batchId}: writing to s3://${bucket} failed`, { cause });
  }
}

async function putObject(client: S3Client, bucket: string, object: LakeObject): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: object.key,
      Body: bodyOf(object),
      ContentType: object.contentType,
      ...(object.gzip ? { ContentEncoding: "gzip" } : {}),
    }),
  );
}

/**
 * The bytes to upload. Compression runs on this thread and right away: a Lambda of this size has
 * a fraction of a vCPU, so the thread pool would add memory (a zlib state and a malloc arena per
 * thread) but no speed, and an object's uncompressed bytes are then read before anything else
 * runs (they may live in pooled memory that the next batch reuses once this one is released).
 */
function bodyOf(object: LakeObject): Uint8Array {
  return object.gzip ? gzipSync(object.bytes, GZIP) : object.bytes;
}
