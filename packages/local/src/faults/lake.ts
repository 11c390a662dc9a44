import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { S3Error } from "../s3/errors.ts";
import { errorResponse } from "../s3/http.ts";
import { parsePath } from "../s3/route.ts";

/** Faults of the lake's S3 API: writes that fail or never finish, listings that miss objects or skew their times. */
export interface LakeFaults {
  /**
   * Before a PutObject is stored. "fail" answers S3's 500 `InternalError` without storing it (the
   * SDK retries that as it retries AWS's); a promise holds the upload until it settles (one that
   * never settles is the upload of a writer that died); undefined stores it at once.
   */
  readonly putObject?: (key: string) => "fail" | Promise<void> | undefined;
  /** After a PutObject stored its object. */
  readonly objectStored?: (key: string) => void;
  /** True leaves that key out of a ListObjectsV2 page (a partial listing). */
  readonly hideFromListing?: (key: string) => boolean;
  /**
   * Milliseconds added to the `LastModified` a ListObjectsV2 page gives that key: the lake's
   * clock skewed against its readers' (negative: the object looks older than it is).
   */
  readonly listedClockSkewMs?: (key: string) => number;
}

const SUBRESOURCES = ["uploadId", "partNumber", "tagging", "acl", "retention", "legal-hold"];

/** The S3 service with `faults` around PutObject and ListObjectsV2; everything else passes through. */
export function withLakeFaults<S extends EndpointService>(service: S, faults: LakeFaults): S {
  return {
    ...service,
    matches: (req: EndpointRequest) => service.matches(req),
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      const key = putObjectKey(req);
      if (key !== undefined) {
        const fault = faults.putObject?.(key);
        if (fault === "fail") return errorResponse(new S3Error("InternalError"), req.path);
        if (fault) await fault;
        const response = await service.handle(req);
        if (response.status === 200) faults.objectStored?.(key);
        return response;
      }
      const response = await service.handle(req);
      return isListV2(req) && (faults.hideFromListing || faults.listedClockSkewMs) ? rewriteListing(response, faults) : response;
    },
    ...(service.close ? { close: () => service.close!() } : {}),
  };
}

/** The key a plain PutObject writes (not a part upload, a copy or a subresource), else undefined. */
function putObjectKey(req: EndpointRequest): string | undefined {
  if (req.method !== "PUT" || req.headers["x-amz-copy-source"] !== undefined) return undefined;
  if (SUBRESOURCES.some((name) => req.query.has(name))) return undefined;
  const { key } = parsePath(req.path);
  return key === "" ? undefined : key;
}

function isListV2(req: EndpointRequest): boolean {
  return req.method === "GET" && req.query.get("list-type") === "2" && parsePath(req.path).key === "";
}

/**
 * The page without the hidden keys' `<Contents>` (KeyCount follows; IsTruncated does not: the
 * page claims to be whole) and with the skewed `LastModified` times.
 */
function rewriteListing(response: EndpointResponse, faults: LakeFaults): EndpointResponse {
  if (response.status !== 200 || typeof response.body !== "string") return response;
  let removed = 0;
  const urlEncoded = response.body.includes("<EncodingType>url</EncodingType>");
  let body = response.body.replace(/<Contents><Key>([^<]*)<\/Key>.*?<\/Contents>/gs, (whole, encoded: string) => {
    const key = urlEncoded ? decodeURIComponent(decodeXml(encoded)) : decodeXml(encoded);
    if (faults.hideFromListing?.(key)) {
      removed += 1;
      return "";
    }
    const skew = faults.listedClockSkewMs?.(key) ?? 0;
    if (skew === 0) return whole;
    return whole.replace(/<LastModified>([^<]*)<\/LastModified>/, (_, at: string) => `<LastModified>${new Date(Date.parse(at) + skew).toISOString()}</LastModified>`);
  });
  body = body.replace(/<KeyCount>(\d+)<\/KeyCount>/, (_, n: string) => `<KeyCount>${Number(n) - removed}</KeyCount>`);
  return { ...response, body };
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!);
}
