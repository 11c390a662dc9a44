import { FreshetError } from "@freshet/core";
import { AwsApiError } from "../endpoint/aws-api-error.ts";
import type { EndpointResponse } from "../endpoint/service.ts";

/**
 * An error SageMaker Runtime answers (REST-JSON: the status, `x-amzn-errortype`, a JSON body whose
 * `Message` and, for `ModelError`, `OriginalStatusCode`/`OriginalMessage` the SDK copies onto
 * its exception).
 */
export class SageMakerApiError extends AwsApiError {
  override readonly name: string = "SageMakerApiError";

  toResponse(requestId: string): EndpointResponse {
    return {
      status: this.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": this.code, "x-amzn-requestid": requestId },
      body: JSON.stringify(this.body()),
    };
  }

  protected body(): Record<string, unknown> {
    return { Message: this.message };
  }
}

/**
 * What SageMaker itself rejects before the model sees the request (400): an unknown endpoint,
 * an empty body, an endpoint name outside its pattern.
 */
export class SageMakerValidationError extends SageMakerApiError {
  override readonly name = "SageMakerValidationError";
  constructor(message: string, options?: ErrorOptions) {
    super("ValidationError", 400, message, options);
  }
}

/**
 * What the model container rejected or failed on. SageMaker relays it as `ModelError` (HTTP 424)
 * carrying the container's own status and message; the built-in RCF answers 400 for payloads it
 * cannot evaluate and 415 for content types it does not read.
 */
export class SageMakerModelError extends SageMakerApiError {
  override readonly name = "SageMakerModelError";
  readonly originalStatusCode: number;
  readonly originalMessage: string;
  readonly logStreamArn: string;

  constructor(originalStatusCode: number, originalMessage: string, logStreamArn: string, options?: ErrorOptions) {
    const kind = originalStatusCode >= 500 ? "server" : "client";
    super("ModelError", 424, `Received ${kind} error (${originalStatusCode}) from primary with message "${originalMessage}".`, options);
    this.originalStatusCode = originalStatusCode;
    this.originalMessage = originalMessage;
    this.logStreamArn = logStreamArn;
  }

  protected override body(): Record<string, unknown> {
    return {
      Message: this.message,
      OriginalStatusCode: this.originalStatusCode,
      OriginalMessage: this.originalMessage,
      LogStreamArn: this.logStreamArn,
    };
  }
}

/** A payload the model cannot read: content type, numbers, dimension (the container's 4xx). */
export class PayloadError extends FreshetError {
  override readonly name = "PayloadError";
  readonly status: 400 | 415;
  constructor(message: string, status: 400 | 415 = 400, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}
