import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/*
 * The S3 calls the planner makes, in one place: list a prefix (every page), read a body as text,
 * write JSON, delete. The planner never reads event data: only receipts, claims and its state.
 */

/** An object as ListObjectsV2 reports it. */
export interface ListedObject {
  readonly Key?: string;
  readonly Size?: number;
  readonly ETag?: string;
  readonly LastModified?: Date;
}

/** Every object under a prefix (after `startAfter`, if given), all pages. */
export async function listPrefix(s3: S3Client, bucket: string, Prefix: string, startAfter?: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
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

/** An object's body as UTF-8 text; S3's own error when it cannot be read. */
export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString("utf8")) ?? "";
}

/**
 * An object's body as UTF-8 text, or undefined when the key does not exist (not yet, or no more).
 * Whether it exists is asked of a listing first: S3 answers a GET of a missing key with 403
 * AccessDenied, not 404, to a caller whose s3:ListBucket does not cover the key, and Freshet's
 * functions may list only their own prefixes (the caller's role must cover `key` as a prefix).
 * A key deleted between the listing and the read is listed once more to tell that apart from
 * a real refusal.
 */
export async function readTextIfExists(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  return (await readObjectIfExists(s3, bucket, key))?.text;
}

/** `readTextIfExists` with the ETag the body was read at (for a conditional write back). */
export async function readObjectIfExists(s3: S3Client, bucket: string, key: string): Promise<{ text: string; etag: string | undefined } | undefined> {
  if (!(await isListed(s3, bucket, key))) return undefined;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: (await out.Body?.transformToString("utf8")) ?? "", etag: out.ETag };
  } catch (error) {
    const gone = error instanceof Error && (error.name === "NoSuchKey" || error.name === "AccessDenied");
    if (gone && !(await isListed(s3, bucket, key))) return undefined;
    throw error;
  }
}

async function isListed(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  return (page.Contents ?? []).some((o) => o.Key === key);
}

/** Writes `value` as a JSON object. */
export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: "application/json" }));
}

/**
 * Writes `value` as a JSON object only if the key is absent (`version` undefined: `If-None-Match:
 * *`) or still at the ETag `version` (`If-Match`); false when another writer got there first:
 * 412 (the condition failed), 409 (a concurrent conditional write on the key won) or NoSuchKey
 * (the object `version` named was deleted meanwhile).
 */
export async function putJsonIf(s3: S3Client, bucket: string, key: string, value: unknown, version: string | undefined): Promise<boolean> {
  const condition = version === undefined ? { IfNoneMatch: "*" } : { IfMatch: version };
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: "application/json", ...condition }));
    return true;
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if ($metadata?.httpStatusCode === 412 || $metadata?.httpStatusCode === 409) return false;
    // Not a missing bucket: that is no race, but a fault to report.
    if (version !== undefined && name === "NoSuchKey") return false;
    throw error;
  }
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
