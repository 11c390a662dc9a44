import { createHash } from "node:crypto";
import { MigrationDriftError } from "./errors.ts";
import { sqlCount, sqlString } from "./sql-literals.ts";

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Run in order as one `BatchExecuteStatement` (one transaction), with the recording statement last. */
  readonly statements: readonly string[];
}

/** A row of `schema_migrations` as the database returns it. */
export interface AppliedMigration {
  readonly version: number;
  readonly checksum: string;
}

/** Run before anything else (its own statement): the ledger of applied migrations. */
export const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL,
  name VARCHAR(256) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at TIMESTAMP NOT NULL,
  PRIMARY KEY (version)
)`;

/** Applied migrations, oldest first; rows map to `AppliedMigration`. */
export const SELECT_APPLIED_MIGRATIONS = "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version";

/** sha256 over the version, name and statements: any edit of an applied migration is drift. */
export function migrationChecksum(migration: Migration): string {
  const hash = createHash("sha256");
  hash.update(`${migration.version}\n${migration.name}\n`);
  for (const statement of migration.statements) hash.update(`${statement}\n;\n`);
  return hash.digest("hex");
}

/**
 * Migrations still to run, in order. Throws `MigrationDriftError` when an applied migration's
 * checksum differs from the code's, or the database has a version the code does not know.
 */
export function pendingMigrations(applied: readonly AppliedMigration[], migrations: readonly Migration[]): Migration[] {
  const known = new Map(migrations.map((m) => [m.version, m]));
  const done = new Set<number>();
  for (const row of applied) {
    const version = Number(row.version);
    const migration = known.get(version);
    if (!migration) throw new MigrationDriftError(version, `the database has migration ${version}, which this code does not know: deploy newer code`);
    if (migrationChecksum(migration).trim() !== String(row.checksum).trim()) {
      throw new MigrationDriftError(version, `migration ${version} (${migration.name}) changed after it was applied: add a new migration instead`);
    }
    done.add(version);
  }
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => !done.has(m.version));
}

/**
 * The statements that apply one migration, ending with its `schema_migrations` row, for one
 * `BatchExecuteStatement` (one transaction: the migration and its record commit together). The
 * insert is guarded, so a retried batch after a lost response cannot record a version twice.
 */
export function buildApplyMigrationStatements(migration: Migration): string[] {
  const version = sqlCount(migration.version, "migration version");
  const record = `INSERT INTO schema_migrations (version, name, checksum, applied_at)
SELECT ${version}, ${sqlString(migration.name)}, ${sqlString(migrationChecksum(migration))}, GETDATE()
WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ${version})`;
  return [...migration.statements, record];
}

/** Checks a migration list: versions positive, strictly increasing, names unique, statements present. */
export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  let previous = 0;
  const names = new Set<string>();
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= previous) {
      throw new MigrationDriftError(m.version, `migration versions must increase: ${m.version} after ${previous}`);
    }
    if (names.has(m.name)) throw new MigrationDriftError(m.version, `duplicate migration name ${m.name}`);
    if (m.statements.length === 0) throw new MigrationDriftError(m.version, `migration ${m.version} has no statements`);
    names.add(m.name);
    previous = m.version;
  }
}
