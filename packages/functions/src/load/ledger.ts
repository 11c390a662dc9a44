import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { buildLoadedObjectsQuery, MAX_KEYS_PER_LOOKUP } from "@freshet/core";
import { query, type QueryOptions, type Warehouse } from "./data-api.ts";

/** Which of these keys the load ledger already holds: asked in chunks core's builder accepts. */
export async function loadedKeys(
  client: RedshiftDataClient,
  warehouse: Warehouse,
  keys: readonly string[],
  options: QueryOptions = {},
): Promise<Set<string>> {
  const loaded = new Set<string>();
  for (let i = 0; i < keys.length; i += MAX_KEYS_PER_LOOKUP) {
    const rows = await query(client, warehouse, buildLoadedObjectsQuery(keys.slice(i, i + MAX_KEYS_PER_LOOKUP)), options);
    for (const row of rows) loaded.add(String(row[0]));
  }
  return loaded;
}
