import { FreshetError } from "@freshet/core";
import { AwsApiError } from "../endpoint/aws-api-error.ts";

/** The S3 error codes the embedded service answers with, their HTTP status and AWS's wording. */
const CATALOG = {
  AccessDenied: [403, "Access Denied"],
  BadDigest: [400, "The Content-MD5 or checksum value that you specified did not match what the server received."],
  BucketAlreadyOwnedByYou: [409, "Your previous request to create the named bucket succeeded and you already own it."],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty"],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header."],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid."],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidStorageClass: [400, "The storage class you specified is not valid"],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  KeyTooLongError: [400, "Your key is too long"],
  MalformedXML: [
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
  ],
  MetadataTooLarge: [400, "Your metadata headers exceed the maximum allowed metadata size."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchKey: [404, "The specified key does not exist."],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented"],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold"],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof CATALOG;

/**
 * An error S3 itself would answer, rendered as the `<Error>` XML document. `details` become extra
 * child elements (`Key`, `BucketName`, `ActualObjectSize`, …) as S3 includes them.
 */
export class S3Error extends AwsApiError {
  override readonly name = "S3Error";
  declare readonly code: S3ErrorCode;
  readonly details: Readonly<Record<string, string>>;

  constructor(
    code: S3ErrorCode,
    options: { message?: string; details?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(code, CATALOG[code][0], options.message ?? CATALOG[code][1], { cause: options.cause });
    this.details = options.details ?? {};
  }
}

/** The files of the store are not what the service wrote (hand-edited, truncated, foreign). */
export class S3StorageError extends FreshetError {
  override readonly name = "S3StorageError";
  readonly path: string;

  constructor(message: string, path: string, options: ErrorOptions = {}) {
    super(`${message}: ${path}`, { cause: options.cause });
    this.path = path;
  }
}
