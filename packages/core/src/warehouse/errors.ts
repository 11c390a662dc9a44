import { FreshetError } from "../errors.ts";

/** A value that cannot be spliced into SQL safely, or builder input that would produce wrong SQL. */
export class UnsafeSqlValueError extends FreshetError {
  override readonly name = "UnsafeSqlValueError";
}

/** A load request the builder refuses: nothing to load, bad ids, inconsistent counts. */
export class InvalidLoadRequestError extends FreshetError {
  override readonly name = "InvalidLoadRequestError";
}

/**
 * The database's `schema_migrations` disagrees with the code: an applied migration changed after it
 * ran, or the database knows a version this code does not. Migrating further would guess.
 */
export class MigrationDriftError extends FreshetError {
  override readonly name = "MigrationDriftError";
  readonly version: number;
  constructor(version: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.version = version;
  }
}
