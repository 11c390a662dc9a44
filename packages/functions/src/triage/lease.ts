import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { deleteObject, putJsonIf } from "../load/s3-objects.ts";

/**
 * The debounce lease: one object, created only if absent (S3 conditional write, `If-None-Match:
 * *`). Whoever creates it starts the one execution that handles every dead letter landing until
 * that execution, after its debounce wait, deletes it. A 412 (someone holds it) or a 409 (a
 * concurrent conditional write on the same key won) both mean: an execution is already coming.
 *
 * Every dead-letter object that lands asks, and most find the lease held, so they look first: a
 * HEAD is billed as a read, about a twelfth of a PUT, and on a bad day dead letters land many
 * times a second. Only a caller that did not see the lease tries the conditional write, which
 * alone decides.
 */
export async function takeLease(s3: S3Client, bucket: string, key: string, holder: Readonly<Record<string, unknown>>): Promise<boolean> {
  if (await isHeld(s3, bucket, key)) return false;
  return putJsonIf(s3, bucket, key, holder, undefined);
}

export async function releaseLease(s3: S3Client, bucket: string, key: string): Promise<void> {
  await deleteObject(s3, bucket, key);
}

/**
 * Whether the lease exists now. Any failure answers no: without s3:ListBucket a missing key is a
 * 403 rather than a 404, and whatever else went wrong, the conditional write that follows
 * decides (and reports a real fault).
 */
async function isHeld(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}
