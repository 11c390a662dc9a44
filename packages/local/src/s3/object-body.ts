import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { decodeAwsChunked } from "./aws-chunked.ts";
import {
  algorithmOfHeader,
  checksumHeaderName,
  computeChecksum,
  DEFAULT_CHECKSUM_ALGORITHM,
  digestLength,
  parseAlgorithm,
  type ChecksumAlgorithm,
  type StoredChecksum,
} from "./checksums.ts";
import { S3Error } from "./errors.ts";
import { headerValue } from "./http.ts";

/** An upload body with its framing removed and every integrity claim the client made checked. */
export interface ReceivedBody {
  readonly data: Buffer;
  /** Lower-case hex MD5 of `data`: S3's ETag for a single-part object. */
  readonly md5: string;
  /** The checksum the client sent, or the CRC64NVME S3 computes when it sent none. */
  readonly checksum: StoredChecksum;
  /** True when the client sent the checksum (S3 then echoes it on PutObject). */
  readonly checksumFromClient: boolean;
}

/**
 * Turns the raw request body into object bytes: decodes `aws-chunked` (unsigned trailer or
 * SigV4-chunked, signatures ignored), then verifies `x-amz-decoded-content-length`, a hex
 * `x-amz-content-sha256`, `Content-MD5` and one `x-amz-checksum-*` header or trailer, answering
 * S3's errors (`IncompleteBody`, `XAmzContentSHA256Mismatch`, `InvalidDigest`, `BadDigest`, …).
 */
export function receiveBody(headers: IncomingHttpHeaders, raw: Buffer): ReceivedBody {
  const chunked = isAwsChunked(headers);
  const decoded = chunked ? decodeAwsChunked(raw) : { data: raw, trailers: new Map<string, string>() };
  const data = decoded.data;

  const declared = headerValue(headers, "x-amz-decoded-content-length");
  if (chunked && declared !== undefined && Number(declared) !== data.length) {
    throw new S3Error("IncompleteBody", {
      message: `x-amz-decoded-content-length is ${declared} but the decoded body has ${data.length} bytes`,
    });
  }

  const contentSha = headerValue(headers, "x-amz-content-sha256");
  if (contentSha && /^[0-9a-f]{64}$/i.test(contentSha)) {
    const actual = createHash("sha256").update(data).digest("hex");
    if (actual !== contentSha.toLowerCase()) {
      throw new S3Error("XAmzContentSHA256Mismatch", {
        details: { ClientComputedContentSHA256: contentSha, S3ComputedContentSHA256: actual },
      });
    }
  }

  const md5 = createHash("md5").update(data).digest();
  const contentMd5 = headerValue(headers, "content-md5");
  if (contentMd5 !== undefined) {
    const claimed = Buffer.from(contentMd5, "base64");
    if (claimed.length !== 16 || claimed.toString("base64") !== contentMd5.trim()) throw new S3Error("InvalidDigest");
    if (!claimed.equals(md5)) throw new S3Error("BadDigest", { details: { ExpectedDigest: contentMd5 } });
  }

  const claimed = claimedChecksum(headers, decoded.trailers);
  if (!claimed) {
    return { data, md5: md5.toString("hex"), checksum: computeChecksum(DEFAULT_CHECKSUM_ALGORITHM, data), checksumFromClient: false };
  }
  const actual = computeChecksum(claimed.algorithm, data);
  if (actual.value !== claimed.value) {
    throw new S3Error("BadDigest", { message: `The ${claimed.algorithm} you specified did not match the calculated checksum.` });
  }
  return { data, md5: md5.toString("hex"), checksum: actual, checksumFromClient: true };
}

/** `Content-Encoding` to store: the client's codings without the transport-only `aws-chunked`. */
export function storedContentEncoding(headers: IncomingHttpHeaders): string | undefined {
  const value = headerValue(headers, "content-encoding");
  if (value === undefined) return undefined;
  const codings = value
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "" && c.toLowerCase() !== "aws-chunked");
  return codings.length > 0 ? codings.join(",") : undefined;
}

function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = headerValue(headers, "content-encoding") ?? "";
  if (encoding.split(",").some((c) => c.trim().toLowerCase() === "aws-chunked")) return true;
  return (headerValue(headers, "x-amz-content-sha256") ?? "").startsWith("STREAMING-");
}

function claimedChecksum(
  headers: IncomingHttpHeaders,
  trailers: ReadonlyMap<string, string>,
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const found: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const [name, value] of [...Object.entries(headers), ...trailers]) {
    const algorithm = algorithmOfHeader(name);
    if (algorithm && value !== undefined) found.push({ algorithm, value: String(value).trim() });
  }
  if (found.length > 1) throw new S3Error("InvalidRequest", { message: "Expecting a single x-amz-checksum- header" });

  const declaredTrailer = headerValue(headers, "x-amz-trailer");
  const trailerAlgorithm = declaredTrailer ? algorithmOfHeader(declaredTrailer.trim()) : undefined;
  if (declaredTrailer && trailerAlgorithm && !trailers.has(checksumHeaderName(trailerAlgorithm))) {
    throw new S3Error("InvalidRequest", { message: `The trailer ${declaredTrailer} was declared but not sent` });
  }
  const sdkAlgorithm = headerValue(headers, "x-amz-sdk-checksum-algorithm");
  const named = sdkAlgorithm === undefined ? undefined : parseAlgorithm(sdkAlgorithm);
  if (sdkAlgorithm !== undefined && !named) {
    throw new S3Error("InvalidRequest", { message: "Value for x-amz-sdk-checksum-algorithm header is invalid." });
  }
  const claim = found[0];
  if (named && (!claim || claim.algorithm !== named)) {
    throw new S3Error("InvalidRequest", {
      message: `x-amz-sdk-checksum-algorithm specified, but no corresponding ${checksumHeaderName(named)} header or trailer was found.`,
    });
  }
  if (!claim) return undefined;
  const bytes = Buffer.from(claim.value, "base64");
  if (bytes.length !== digestLength(claim.algorithm) || bytes.toString("base64") !== claim.value) {
    throw new S3Error("InvalidRequest", { message: `Value for ${checksumHeaderName(claim.algorithm)} header is invalid.` });
  }
  return claim;
}
