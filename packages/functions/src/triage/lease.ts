import type { S3Client } from "@aws-sdk/client-s3";
import { deleteObject, putJsonIf } from "../load/s3-objects.ts";

/**
 * The debounce lease: one object, created only if absent (S3 conditional write, `If-None-Match:
 * *`). Whoever creates it starts the one execution that handles every dead letter landing until
 * that execution, after its debounce wait, deletes it. A 412 (someone holds it) or a 409 (a
 * concurrent conditional write on the same key won) both mean: an execution is already coming.
 */
export async function takeLease(s3: S3Client, bucket: string, key: string, holder: Readonly<Record<string, unknown>>): Promise<boolean> {
  return putJsonIf(s3, bucket, key, holder, undefined);
}

export async function releaseLease(s3: S3Client, bucket: string, key: string): Promise<void> {
  await deleteObject(s3, bucket, key);
}
