import type { EndpointResponse } from "../../endpoint/service.ts";
import type { S3Call, S3Context } from "../context.ts";
import { S3Error } from "../errors.ts";
import { isoDate, xmlResponse } from "../http.ts";
import type { ListPage } from "../store/object-index.ts";
import { etagOf, type ObjectMeta } from "../store/object-meta.ts";
import { xmlContainer, xmlDocument, xmlElement } from "../xml.ts";
import { ownerXml } from "./buckets.ts";

const MAX_KEYS = 1000;
const TOKEN_PREFIX = "freshet-v1:";

/**
 * ListObjectsV2: `prefix`, `delimiter` (rolled up into `CommonPrefixes`), `max-keys` (≤ 1000,
 * counting keys and common prefixes), `start-after`, `continuation-token` (opaque; it takes
 * precedence over `start-after`), `encoding-type=url`, `fetch-owner`. Keys in UTF-8 byte order.
 */
export async function listObjectsV2(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const q = call.req.query;
  const common = commonParameters(q);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? undefined;
  const after = token !== null ? decodeToken(token) : startAfter;
  const bucket = await ctx.store.bucket(call.bucket);
  const page = bucket.list({ prefix: common.prefix, delimiter: common.delimiter, after, maxKeys: common.maxKeys });
  const enc = common.encode;
  const fetchOwner = q.get("fetch-owner") === "true";
  const body =
    xmlElement("Name", call.bucket) +
    xmlElement("Prefix", enc(common.prefix)) +
    xmlElement("Delimiter", common.delimiter === undefined ? undefined : enc(common.delimiter)) +
    xmlElement("MaxKeys", common.maxKeys) +
    xmlElement("EncodingType", common.encodingType) +
    xmlElement("KeyCount", page.objects.length + page.commonPrefixes.length) +
    xmlElement("IsTruncated", page.isTruncated) +
    xmlElement("ContinuationToken", token ?? undefined) +
    xmlElement("NextContinuationToken", page.isTruncated && page.last ? encodeToken(page.last.value) : undefined) +
    xmlElement("StartAfter", startAfter === undefined ? undefined : enc(startAfter)) +
    contentsXml(page, enc, fetchOwner);
  return xmlResponse(200, xmlDocument("ListBucketResult", body));
}

/** ListObjects (version 1): `marker`, and `NextMarker` when a delimiter is given and the page is cut. */
export async function listObjectsV1(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const q = call.req.query;
  const common = commonParameters(q);
  const marker = q.get("marker") ?? "";
  const bucket = await ctx.store.bucket(call.bucket);
  const page = bucket.list({
    prefix: common.prefix,
    delimiter: common.delimiter,
    after: marker === "" ? undefined : marker,
    maxKeys: common.maxKeys,
  });
  const enc = common.encode;
  const nextMarker = page.isTruncated && common.delimiter !== undefined ? page.last?.value : undefined;
  const body =
    xmlElement("Name", call.bucket) +
    xmlElement("Prefix", enc(common.prefix)) +
    xmlElement("Marker", enc(marker)) +
    xmlElement("MaxKeys", common.maxKeys) +
    xmlElement("Delimiter", common.delimiter === undefined ? undefined : enc(common.delimiter)) +
    xmlElement("EncodingType", common.encodingType) +
    xmlElement("IsTruncated", page.isTruncated) +
    xmlElement("NextMarker", nextMarker === undefined ? undefined : enc(nextMarker)) +
    contentsXml(page, enc, true);
  return xmlResponse(200, xmlDocument("ListBucketResult", body));
}

function commonParameters(q: URLSearchParams) {
  const rawMax = q.get("max-keys");
  let maxKeys = MAX_KEYS;
  if (rawMax !== null) {
    if (!/^\d+$/.test(rawMax) || Number(rawMax) > 2 ** 31 - 1) {
      throw new S3Error("InvalidArgument", {
        message: "Provided max-keys not an integer or within integer range",
        details: { ArgumentName: "max-keys", ArgumentValue: rawMax },
      });
    }
    maxKeys = Math.min(Number(rawMax), MAX_KEYS);
  }
  const encodingType = q.get("encoding-type") ?? undefined;
  if (encodingType !== undefined && encodingType !== "url") {
    throw new S3Error("InvalidArgument", {
      message: "Invalid Encoding Method specified in Request",
      details: { ArgumentName: "encoding-type", ArgumentValue: encodingType },
    });
  }
  const delimiter = q.get("delimiter");
  return {
    prefix: q.get("prefix") ?? "",
    delimiter: delimiter === null || delimiter === "" ? undefined : delimiter,
    maxKeys,
    encodingType,
    encode: encodingType === "url" ? urlEncodeKey : (s: string) => s,
  };
}

function contentsXml(page: ListPage, enc: (s: string) => string, withOwner: boolean): string {
  const contents = page.objects.map((o) => objectXml(o, enc, withOwner)).join("");
  const prefixes = page.commonPrefixes.map((p) => xmlContainer("CommonPrefixes", xmlElement("Prefix", enc(p)))).join("");
  return contents + prefixes;
}

function objectXml(meta: ObjectMeta, enc: (s: string) => string, withOwner: boolean): string {
  return xmlContainer(
    "Contents",
    xmlElement("Key", enc(meta.key)) +
      xmlElement("LastModified", isoDate(meta.lastModified)) +
      xmlElement("ETag", etagOf(meta)) +
      (meta.checksum ? xmlElement("ChecksumAlgorithm", meta.checksum.algorithm) + xmlElement("ChecksumType", "FULL_OBJECT") : "") +
      xmlElement("Size", meta.size) +
      (withOwner ? ownerXml() : "") +
      xmlElement("StorageClass", meta.storageClass),
  );
}

/** S3's `encoding-type=url`: percent-encoding that keeps `/` readable. */
function urlEncodeKey(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, "/");
}

function encodeToken(after: string): string {
  return Buffer.from(TOKEN_PREFIX + after, "utf8").toString("base64url");
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString("utf8");
  if (!text.startsWith(TOKEN_PREFIX)) {
    throw new S3Error("InvalidArgument", {
      message: "The continuation token provided is incorrect",
      details: { ArgumentName: "continuation-token" },
    });
  }
  return text.slice(TOKEN_PREFIX.length);
}
