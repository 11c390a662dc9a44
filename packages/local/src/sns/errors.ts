import { FreshetError } from "@freshet/core";
import { AwsApiError } from "../endpoint/aws-api-error.ts";

/**
 * The SNS error codes the embedded service answers with and their HTTP statuses, as the AWS Query
 * protocol names them (`<Code>` in the `<ErrorResponse>`); the SDK maps each to its exception class
 * (`InvalidParameter` → `InvalidParameterException`, `ParameterValueInvalid` →
 * `InvalidParameterValueException`, `NotFound` → `NotFoundException`, …).
 */
const STATUS = {
  BatchEntryIdsNotDistinct: 400,
  BatchRequestTooLong: 400,
  EmptyBatchRequest: 400,
  InternalError: 500,
  InvalidAction: 400,
  InvalidBatchEntryId: 400,
  InvalidParameter: 400,
  NotFound: 404,
  ParameterValueInvalid: 400,
  ResourceNotFound: 404,
  ServiceUnavailable: 503,
  TagLimitExceeded: 400,
  TooManyEntriesInBatchRequest: 400,
  ValidationError: 400,
} as const satisfies Record<string, number>;

export type SnsErrorCode = keyof typeof STATUS;

/** An error SNS itself would answer; rendered as the Query protocol's `<ErrorResponse>` document. */
export class SnsApiError extends AwsApiError {
  override readonly name = "SnsApiError";
  declare readonly code: SnsErrorCode;
  constructor(code: SnsErrorCode, message: string, options?: ErrorOptions) {
    super(code, STATUS[code], message, options);
  }
}

/** The service's files under `<dataDir>/sns/` cannot be read or written (not a client mistake). */
export class SnsStorageError extends FreshetError {
  override readonly name = "SnsStorageError";
  readonly path: string;
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(`${message}: ${path}`, options);
    this.path = path;
  }
}

/** `InvalidParameter` with AWS's wording: `Invalid parameter: <what>[ Reason: <why>]`. */
export function invalidParameter(what: string, reason?: string): SnsApiError {
  return new SnsApiError("InvalidParameter", `Invalid parameter: ${what}${reason ? ` Reason: ${reason}` : ""}`);
}

/** `ParameterValueInvalid` (the SDK's `InvalidParameterValueException`): message attribute problems. */
export function invalidParameterValue(message: string): SnsApiError {
  return new SnsApiError("ParameterValueInvalid", message);
}

export function topicNotFound(): SnsApiError {
  return new SnsApiError("NotFound", "Topic does not exist");
}

export function subscriptionNotFound(): SnsApiError {
  return new SnsApiError("NotFound", "Subscription does not exist");
}

/** A required member missing from the request, in the wording of AWS's request validation. */
export function missingParameter(member: string): SnsApiError {
  return new SnsApiError(
    "ValidationError",
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}

/** `freshet alerts` was given an option or value it does not understand. */
export class AlertQueryError extends FreshetError {
  override readonly name = "AlertQueryError";
}
