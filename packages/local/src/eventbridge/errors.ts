import { jsonErrorResponse, type EndpointResponse } from "../endpoint/service.ts";

/**
 * An error the EventBridge API answers on the wire (AWS JSON 1.1): `type` is AWS's exception
 * name, which the SDK maps to its exception class.
 */
export class EventBridgeApiError extends Error {
  override readonly name = "EventBridgeApiError";
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.type = type;
    this.status = options?.status ?? 400;
  }

  toResponse(): EndpointResponse {
    return jsonErrorResponse(this.status, this.type, this.message);
  }
}

/** A target could not be reached; `retryable` tells the delivery engine whether to try again. */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** The service's files cannot be read or written (not a client mistake). */
export class EventBridgeStorageError extends Error {
  override readonly name = "EventBridgeStorageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const validation = (message: string) => new EventBridgeApiError("ValidationException", message);
export const notFound = (message: string) => new EventBridgeApiError("ResourceNotFoundException", message);
