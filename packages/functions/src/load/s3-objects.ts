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

/** An object's body as UTF-8 text, or undefined when the key does not exist (not yet, or no more). */
export async function readTextIfExists(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    return await readText(s3, bucket, key);
  } catch (error) {
    if (error instanceof Error && error.name === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Writes `value` as a JSON object. */
export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: "application/json" }));
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
