import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BatchPlan, LakeObject } from "@freshet/core";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { LakeWriteError } from "../errors.ts";

const gzipAsync = promisify(gzip);

/**
 * Writes a batch's objects: data objects in parallel, then the receipt, so a receipt only ever
 * exists for a batch whose every object landed. Keys are deterministic, so a retry overwrites.
 */
export async function writeBatch(client: S3Client, bucket: string, plan: BatchPlan): Promise<void> {
  const data = plan.objects.filter((o) => o.kind !== "receipt");
  const receipts = plan.objects.filter((o) => o.kind === "receipt");
  try {
    await Promise.all(data.map((object) => putObject(client, bucket, object)));
    await Promise.all(receipts.map((object) => putObject(client, bucket, object)));
  } catch (cause) {
    throw new LakeWriteError(`batch ${plan.batchId}: writing to s3://${bucket} failed`, { cause });
  }
}

async function putObject(client: S3Client, bucket: string, object: LakeObject): Promise<void> {
  // Level 1: these objects are read once by COPY; speed matters more than the last few percent.
  const body = object.gzip ? await gzipAsync(object.body, { level: 1 }) : Buffer.from(object.body);
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: object.key,
      Body: body,
      ContentType: object.contentType,
      ...(object.gzip ? { ContentEncoding: "gzip" } : {}),
    }),
  );
}
