import { FreshetError } from "@freshet/core";

/**
 * Base of every error the embedded services answer over the wire as AWS would: `code` is AWS's
 * error code (the JSON protocols' `__type`, the `<Code>` of S3's and SNS's XML, Scheduler's
 * `x-amzn-errortype`; the SDK maps it to its exception class), `status` the HTTP status AWS
 * answers it with. Each protocol renders it in its own shape; each service names its own
 * subclass, so a stack trace says whose it is.
 */
export class AwsApiError extends FreshetError {
  override readonly name: string = "AwsApiError";
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}
