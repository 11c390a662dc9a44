/**
 * An error Kinesis answers on the wire: `type` is AWS's exception name (the SDK maps it to its
 * exception class), `status` the HTTP status AWS uses for it.
 */
export class KinesisApiError extends Error {
  override readonly name = "KinesisApiError";
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.type = type;
    this.status = options?.status ?? 400;
  }
}

/** The embedded service's files cannot be read or written (not a client mistake). */
export class KinesisStorageError extends Error {
  override readonly name = "KinesisStorageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function invalidArgument(message: string): KinesisApiError {
  return new KinesisApiError("InvalidArgumentException", message);
}

export function resourceNotFound(message: string): KinesisApiError {
  return new KinesisApiError("ResourceNotFoundException", message);
}
