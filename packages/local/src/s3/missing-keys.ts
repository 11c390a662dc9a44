import { S3Error } from "./errors.ts";

/**
 * How S3 answers a GET or HEAD of a key that does not exist. It depends on the caller (the
 * GetObject and HeadObject references): with s3:ListBucket on the bucket, 404 (NoSuchKey); without
 * it, 403 AccessDenied. The embedded S3 has one caller, and this says which one it plays:
 * `not-found` (the default) is a caller that may list the bucket, `access-denied` one that may not.
 */
export type MissingKeyAnswer = "not-found" | "access-denied";

/**
 * One answer for every missing key, or one per key: a caller whose s3:ListBucket is narrowed to
 * some prefixes (an `s3:prefix` condition), as Freshet's function roles are.
 */
export type MissingKeys = MissingKeyAnswer | ((bucket: string, key: string) => MissingKeyAnswer);

/** The error a read of `key`, which does not exist, answers with. */
export function missingKeyError(rule: MissingKeys, bucket: string, key: string): S3Error {
  const answer = typeof rule === "function" ? rule(bucket, key) : rule;
  // AWS's AccessDenied names no key: it does not tell the caller whether the key exists.
  return answer === "access-denied" ? new S3Error("AccessDenied") : new S3Error("NoSuchKey", { details: { Key: key } });
}
