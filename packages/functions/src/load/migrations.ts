import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import {
  buildApplyMigrationStatements,
  CREATE_SCHEMA_MIGRATIONS,
  MIGRATIONS,
  pendingMigrations,
  SELECT_APPLIED_MIGRATIONS,
  type Migration,
} from "@freshet/core";
import { executeBatch, query, type QueryOptions, type Warehouse } from "./data-api.ts";

export interface MigrationReport {
  /** Versions applied by this run, in order (empty when the schema was current). */
  readonly applied: readonly number[];
  /** The newest version recorded after the run. */
  readonly current: number;
}

/**
 * Brings the warehouse schema to `migrations`' newest version through the Data API: creates
 * `schema_migrations` if needed, reads what is applied (core checks drift), then applies each
 * pending migration as one BatchExecuteStatement with its record, so a migration and its row
 * commit together. Safe to repeat: a second run finds nothing pending.
 */
export async function applyMigrations(
  client: RedshiftDataClient,
  warehouse: Warehouse,
  migrations: readonly Migration[] = MIGRATIONS,
  options: QueryOptions = {},
): Promise<MigrationReport> {
  await executeBatch(client, warehouse, [CREATE_SCHEMA_MIGRATIONS], "freshet-migrate-schema-migrations", options);
  const applied = (await query(client, warehouse, SELECT_APPLIED_MIGRATIONS, options)).map((row) => ({
    version: Number(row[0]),
    checksum: String(row[2]),
  }));
  const pending = pendingMigrations(applied, migrations);
  for (const migration of pending) {
    await executeBatch(client, warehouse, buildApplyMigrationStatements(migration), `freshet-migrate-${migration.version}`, options);
  }
  const versions = [...applied.map((a) => a.version), ...pending.map((m) => m.version)];
  return { applied: pending.map((m) => m.version), current: versions.length ? Math.max(...versions) : 0 };
}
