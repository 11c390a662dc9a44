import { FreshetError } from "@freshet/core";
import { JsonApiError } from "../endpoint/json-protocol.ts";

/** An error the EventBridge API answers on the wire (see JsonApiError). */
export class EventBridgeApiError extends JsonApiError {
  override readonly name = "EventBridgeApiError";
}

/** A target could not be reached; `retryable` tells the delivery engine whether to try again. */
export class DeliveryError extends FreshetError {
  override readonly name = "DeliveryError";
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** The service's files cannot be read or written (not a client mistake). */
export class EventBridgeStorageError extends FreshetError {
  override readonly name = "EventBridgeStorageError";
}

export const validation = (message: string) => new EventBridgeApiError("ValidationException", message);
export const notFound = (message: string) => new EventBridgeApiError("ResourceNotFoundException", message);
