import { buildHeldValuesQueries, type HeldValuesLookup } from "@freshet/core";
import { forEachLimited } from "../shared/for-each-limited.ts";
import { query } from "./data-api.ts";
import type { WarehouseAccess } from "./types.ts";

/**
 * Lookup statements running at once. Usually there is one; when a run catches up days of
 * receipts there are dozens, and sending them all at once would run into the Data API's limit
 * of active statements per workgroup.
 */
const PARALLEL_LOOKUPS = 4;

/**
 * Which of these values `lookup`'s table already holds (core's `LOADED_OBJECT_KEYS`: loaded
 * objects; `RECORDED_BATCH_IDS`: recorded receipts), asked in the chunks core's builder makes.
 */
export async function heldValues(deps: WarehouseAccess, lookup: HeldValuesLookup, values: readonly string[]): Promise<Set<string>> {
  const held = new Set<string>();
  await forEachLimited(buildHeldValuesQueries(lookup, values), PARALLEL_LOOKUPS, async (sql) => {
    for (const row of await query(deps.redshift, deps.warehouse, sql, deps.queryOptions)) held.add(String(row[0]));
  });
  return held;
}
