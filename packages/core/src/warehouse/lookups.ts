import { InvalidLoadRequestError, UnsafeSqlValueError } from "./errors.ts";
import { sqlString } from "./sql-literals.ts";

/*
 * "Which of these values does the warehouse already hold?": the planner's one question to it,
 * asked of the load ledger (objects loaded) and of `batch_receipts` (batches recorded). Values
 * are asked in chunks, each statement naming at most `MAX_KEYS_PER_LOOKUP` of them.
 */

/** Keys per lookup: keeps the statement far below the Data API's 100,000 characters. */
export const MAX_KEYS_PER_LOOKUP = 500;

/** A column whose values the planner asks about (rows: the values held, each once). */
export interface HeldValuesLookup {
  readonly table: string;
  readonly column: string;
  /** The table may hold a value on several rows (Redshift enforces no primary key): ask for each once. */
  readonly repeats: boolean;
}

/** Processed object keys the load ledger holds (one row per object): loaded, never planned again. */
export const LOADED_OBJECT_KEYS: HeldValuesLookup = { table: "load_ledger", column: "object_key", repeats: false };

/** Batch ids `batch_receipts` holds (one row per batch and arrival window): counted, never again. */
export const RECORDED_BATCH_IDS: HeldValuesLookup = { table: "batch_receipts", column: "batch_id", repeats: true };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** One lookup statement for 1..`MAX_KEYS_PER_LOOKUP` values. */
export function buildHeldValuesQuery(lookup: HeldValuesLookup, values: readonly string[]): string {
  for (const name of [lookup.table, lookup.column]) {
    if (!IDENTIFIER.test(name)) throw new UnsafeSqlValueError(`not a plain identifier: ${JSON.stringify(name)}`);
  }
  if (values.length === 0 || values.length > MAX_KEYS_PER_LOOKUP) {
    throw new InvalidLoadRequestError("lookup_size", `ask about 1..${MAX_KEYS_PER_LOOKUP} keys at a time, got ${values.length}`);
  }
  return `SELECT ${lookup.repeats ? "DISTINCT " : ""}${lookup.column} FROM ${lookup.table} WHERE ${lookup.column} IN (${values.map(sqlString).join(", ")})`;
}

/** The lookup statements for any number of values, in chunks of `MAX_KEYS_PER_LOOKUP` (none for no values). */
export function buildHeldValuesQueries(lookup: HeldValuesLookup, values: readonly string[]): string[] {
  const statements: string[] = [];
  for (let i = 0; i < values.length; i += MAX_KEYS_PER_LOOKUP) statements.push(buildHeldValuesQuery(lookup, values.slice(i, i + MAX_KEYS_PER_LOOKUP)));
  return statements;
}

/** Which of these processed object keys the ledger already holds (rows: `object_key`); 1..`MAX_KEYS_PER_LOOKUP` keys. */
export function buildLoadedObjectsQuery(keys: readonly string[]): string {
  return buildHeldValuesQuery(LOADED_OBJECT_KEYS, keys);
}

/** Which of these batches `batch_receipts` already holds (rows: `batch_id`); 1..`MAX_KEYS_PER_LOOKUP` ids. */
export function buildRecordedBatchesQuery(batchIds: readonly string[]): string {
  return buildHeldValuesQuery(RECORDED_BATCH_IDS, batchIds);
}
