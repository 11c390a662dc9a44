import { FreshetError } from "@freshet/core";
import { JsonApiError } from "../endpoint/json-protocol.ts";

/** An error Kinesis answers on the wire (see JsonApiError). */
export class KinesisApiError extends JsonApiError {
  override readonly name = "KinesisApiError";
}

/** The embedded service's files cannot be read or written (not a client mistake). */
export class KinesisStorageError extends FreshetError {
  override readonly name = "KinesisStorageError";
}

export function invalidArgument(message: string): KinesisApiError {
  return new KinesisApiError("InvalidArgumentException", message);
}

export function resourceNotFound(message: string): KinesisApiError {
  return new KinesisApiError("ResourceNotFoundException", message);
}
