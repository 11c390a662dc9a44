import type { IncomingHttpHeaders } from "node:http";
import { S3Error } from "./errors.ts";
import { headerValue } from "./http.ts";
import { etagOf, type ObjectMeta } from "./store/object-meta.ts";

export type ReadCondition = "ok" | "not-modified";

/**
 * GetObject/HeadObject preconditions with S3's precedence: `If-Match` decides over
 * `If-Unmodified-Since` (failure is 412), `If-None-Match` over `If-Modified-Since` (304).
 * With `prefix` = `x-amz-copy-source-` the same rules apply to a copy's source, where every
 * failure is 412.
 */
export function checkReadConditions(headers: IncomingHttpHeaders, meta: ObjectMeta, prefix = ""): ReadCondition {
  const ifMatch = headerValue(headers, `${prefix}if-match`);
  const ifNoneMatch = headerValue(headers, `${prefix}if-none-match`);
  const ifModifiedSince = parseDate(headerValue(headers, `${prefix}if-modified-since`));
  const ifUnmodifiedSince = parseDate(headerValue(headers, `${prefix}if-unmodified-since`));
  const failed = (condition: string) => new S3Error("PreconditionFailed", { details: { Condition: condition } });

  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, meta)) throw failed(`${prefix}If-Match`);
  } else if (ifUnmodifiedSince !== undefined && meta.lastModified > ifUnmodifiedSince) {
    throw failed(`${prefix}If-Unmodified-Since`);
  }
  const notModified = prefix === "" ? () => "not-modified" as const : (c: string) => { throw failed(c); };
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, meta)) return notModified(`${prefix}If-None-Match`);
  } else if (ifModifiedSince !== undefined && meta.lastModified <= ifModifiedSince) {
    return notModified(`${prefix}If-Modified-Since`);
  }
  return "ok";
}

/**
 * PutObject's conditional writes: `If-None-Match: *` fails (412) if the key exists, `If-Match`
 * fails if the current ETag differs (412) or there is no object (404 `NoSuchKey`).
 */
export function checkWriteConditions(headers: IncomingHttpHeaders, key: string, existing: ObjectMeta | undefined): void {
  const ifNoneMatch = headerValue(headers, "if-none-match");
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== "*") throw new S3Error("NotImplemented", { message: "If-None-Match accepts only *" });
    if (existing) throw new S3Error("PreconditionFailed", { details: { Condition: "If-None-Match" } });
  }
  const ifMatch = headerValue(headers, "if-match");
  if (ifMatch !== undefined) {
    if (!existing) throw new S3Error("NoSuchKey", { details: { Key: key } });
    if (!etagMatches(ifMatch, existing)) throw new S3Error("PreconditionFailed", { details: { Condition: "If-Match" } });
  }
}

function etagMatches(list: string, meta: ObjectMeta): boolean {
  const etag = etagOf(meta);
  return list
    .split(",")
    .map((t) => t.trim())
    .some((t) => t === "*" || t === etag || `"${t}"` === etag);
}

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
