import { FreshetError } from "@freshet/core";
import { JsonApiError } from "../endpoint/json-protocol.ts";

/** An error the Data API answers on the wire (see JsonApiError). */
export class RedshiftDataApiError extends JsonApiError {
  override readonly name = "RedshiftDataApiError";
}

export function validation(message: string): RedshiftDataApiError {
  return new RedshiftDataApiError("ValidationException", message);
}

export function notFound(message: string): RedshiftDataApiError {
  return new RedshiftDataApiError("ResourceNotFoundException", message);
}

/** Redshift SQL the local engine cannot express in DuckDB (the statement fails, like a syntax error). */
export class SqlTranslationError extends FreshetError {
  override readonly name = "SqlTranslationError";
}

/** A COPY that fails as Redshift's fails: the message is what DescribeStatement shows. */
export class CopyError extends FreshetError {
  override readonly name = "CopyError";
}

/** A statement stopped by CancelStatement. */
export class StatementCancelledError extends FreshetError {
  override readonly name = "StatementCancelledError";
  constructor(message = "Query cancelled on user's request", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The statement records on disk cannot be read or written (not a client mistake). */
export class RedshiftStorageError extends FreshetError {
  override readonly name = "RedshiftStorageError";
}

/** A VACUUM or ANALYZE Redshift refuses (inside a transaction block, on a missing table). */
export class TableMaintenanceError extends FreshetError {
  override readonly name = "TableMaintenanceError";
}
