import { REDRIVE_COLUMN_TYPES } from "./columns.ts";
import { DB_ROLES } from "./db-roles.ts";

/**
 * Migration "redrive_accounting": what the warehouse needs to account for triage's redrives.
 *
 * - `events` gets the redrive marker columns (`REDRIVE_COLUMN_TYPES`), NULL for every other row, so
 *   a repaired event's row says which rule fixed it and which dead letter it came from.
 * - `batch_receipts` and `event_accounting` get `redriven` (redrive records the transformer saw,
 *   per arrival hour; they are not `received` again) and `event_accounting` gets `repaired`
 *   (redriven events the loads inserted). The balance becomes
 *   received + redriven = loaded + duplicates + filtered + dead_lettered + in_flight:
 *   a repaired event stays dead-lettered in the hour it first arrived and is redriven, then loaded
 *   (or a duplicate, when it was loaded already) in the hour of its redrive.
 *
 * Redshift adds one column per ALTER TABLE; DEFAULT fills the rows already there. The counts stay
 * nullable (the load always writes them) because the local engine cannot add a column with a
 * constraint, and the SQL text is the same in both places. Redshift replaces a
 * view only with the same columns, so `audit_balance` is dropped and created again (nothing
 * depends on it), and the reader granted it again (the default privileges would too).
 */
export const REDRIVE_ACCOUNTING_STATEMENTS: readonly string[] = [
  ...Object.entries(REDRIVE_COLUMN_TYPES).map(([column, type]) => `ALTER TABLE events ADD COLUMN ${column} ${type}`),
  "ALTER TABLE batch_receipts ADD COLUMN redriven BIGINT DEFAULT 0",
  "ALTER TABLE event_accounting ADD COLUMN redriven BIGINT DEFAULT 0",
  "ALTER TABLE event_accounting ADD COLUMN repaired BIGINT DEFAULT 0",
  "DROP VIEW IF EXISTS audit_balance",
  `CREATE OR REPLACE VIEW audit_balance AS
SELECT
  window_start,
  received,
  processed,
  filtered,
  dead_lettered,
  loaded,
  duplicates,
  processed - loaded - duplicates AS in_flight,
  CASE
    WHEN received + redriven <> processed + filtered + dead_lettered THEN 'receipts_inconsistent'
    WHEN processed - loaded - duplicates < 0 THEN 'loaded_exceeds_processed'
    WHEN processed - loaded - duplicates > 0 THEN 'in_flight'
    ELSE 'balanced'
  END AS status,
  redriven,
  repaired
FROM event_accounting`,
  `GRANT SELECT ON TABLE audit_balance TO ROLE ${DB_ROLES.reader}`,
];
