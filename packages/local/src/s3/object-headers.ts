import type { IncomingHttpHeaders } from "node:http";
import { checksumHeaderName } from "./checksums.ts";
import { S3Error } from "./errors.ts";
import { headerValue, httpDate } from "./http.ts";
import { storedContentEncoding } from "./object-body.ts";
import { etagOf, type ContentHeaders, type ObjectMeta } from "./store/object-meta.ts";

const STORAGE_CLASSES = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE",
]);

/** S3 limits user-defined metadata (names and values of `x-amz-meta-*`) to 2 KB. */
const MAX_USER_METADATA_BYTES = 2048;

/** The content headers a PutObject (or a CopyObject with `REPLACE`) asks to store. */
export function contentHeadersOf(headers: IncomingHttpHeaders): ContentHeaders {
  return {
    contentType: headerValue(headers, "content-type") ?? "binary/octet-stream",
    contentEncoding: storedContentEncoding(headers),
    contentDisposition: headerValue(headers, "content-disposition"),
    contentLanguage: headerValue(headers, "content-language"),
    cacheControl: headerValue(headers, "cache-control"),
    expires: headerValue(headers, "expires"),
  };
}

export function userMetadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("x-amz-meta-") || value === undefined) continue;
    const short = name.slice("x-amz-meta-".length);
    const text = Array.isArray(value) ? value.join(",") : value;
    metadata[short] = text;
    bytes += Buffer.byteLength(short) + Buffer.byteLength(text);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error("MetadataTooLarge", { details: { Size: String(bytes), MaxSizeAllowed: String(MAX_USER_METADATA_BYTES) } });
  }
  return metadata;
}

export function storageClassOf(headers: IncomingHttpHeaders): string {
  const value = headerValue(headers, "x-amz-storage-class") ?? "STANDARD";
  if (!STORAGE_CLASSES.has(value)) throw new S3Error("InvalidStorageClass", { details: { StorageClassRequested: value } });
  return value;
}

/**
 * The headers GetObject and HeadObject answer with. The checksum is included only when asked for
 * (`x-amz-checksum-mode: ENABLED`) and the whole object is returned, as S3 does; `response-*`
 * query parameters override the stored content headers.
 */
export function objectResponseHeaders(
  meta: ObjectMeta,
  options: { withChecksum: boolean; query: URLSearchParams },
): Record<string, string> {
  const headers: Record<string, string> = {
    "last-modified": httpDate(meta.lastModified),
    etag: etagOf(meta),
    "accept-ranges": "bytes",
    "content-type": meta.contentType,
  };
  const optional: [string, string | undefined][] = [
    ["content-encoding", meta.contentEncoding],
    ["content-disposition", meta.contentDisposition],
    ["content-language", meta.contentLanguage],
    ["cache-control", meta.cacheControl],
    ["expires", meta.expires],
  ];
  for (const [name, value] of optional) if (value !== undefined) headers[name] = value;
  for (const [name, value] of Object.entries(meta.userMetadata)) headers[`x-amz-meta-${name}`] = value;
  if (meta.storageClass !== "STANDARD") headers["x-amz-storage-class"] = meta.storageClass;
  if (options.withChecksum && meta.checksum) {
    headers[checksumHeaderName(meta.checksum.algorithm)] = meta.checksum.value;
    headers["x-amz-checksum-type"] = "FULL_OBJECT";
  }
  for (const name of ["content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"]) {
    const override = options.query.get(`response-${name}`);
    if (override !== null) headers[name] = override;
  }
  return headers;
}
