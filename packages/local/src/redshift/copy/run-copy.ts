import type { DuckDBConnection } from "@duckdb/node-api";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CopyError } from "../errors.ts";
import { stringLiteral } from "../sql/tokens.ts";
import { checkRows, type LoadError, type TargetColumn } from "./check-rows.ts";
import type { CopyCommand } from "./parse-copy.ts";
import { fetchCopyFiles, type CopyFilesEnv, type LocalFile } from "./s3-files.ts";

/** Where the files come from (in process: read in place, see RedshiftDataServiceOptions.objectFile), and where rejected lines go. */
export interface CopyEnvironment extends CopyFilesEnv {
  /** Records rejected lines where Redshift would (outside the statement's transaction). */
  readonly recordErrors: (errors: readonly LoadError[], tableId: number) => Promise<void>;
}

/**
 * Runs a COPY on `connection` (inside the statement's transaction, if any) and returns the
 * number of rows loaded. DuckDB's JSON reader does the work; only if it rejects the input (or
 * keys must be matched case-insensitively) are the lines checked one by one to find the bad ones.
 */
export async function runCopy(connection: DuckDBConnection, copy: CopyCommand, env: CopyEnvironment): Promise<number> {
  const target = await targetColumns(connection, copy);
  const dir = await mkdtemp(join(tmpdir(), "freshet-copy-"));
  try {
    const files = await fetchCopyFiles(env, copy.source, copy.manifest, copy.gzip, dir);
    if (!copy.ignoreCase) {
      try {
        return await insertFromJson(connection, copy.table, target.columns, files);
      } catch (error) {
        if (!isDataError(error)) throw error;
      }
    }
    const clean = join(dir, "accepted.ndjson");
    const { errors, accepted } = await checkRows(files, target.columns, copy.ignoreCase, clean);
    if (errors.length > 0) await env.recordErrors(errors, target.tableId);
    if (errors.length > copy.maxError) {
      throw new CopyError(`Load into table '${copy.table}' failed. Check 'sys_load_error_detail' system table for details.`);
    }
    if (accepted === 0) return 0;
    return await insertFromJson(connection, copy.table, target.columns, [{ url: "", path: clean, gzip: false }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function insertFromJson(connection: DuckDBConnection, table: string, columns: readonly TargetColumn[], files: readonly LocalFile[]): Promise<number> {
  const names = columns.map((c) => quoteIdent(c.name)).join(", ");
  const spec = columns.map((c) => `${quoteIdent(c.name)}: ${stringLiteral(c.type)}`).join(", ");
  const paths = files.map((f) => stringLiteral(f.path)).join(", ");
  const sql = `INSERT INTO ${table} (${names}) SELECT ${names} FROM read_json([${paths}], format = 'newline_delimited', columns = {${spec}})`;
  const result = await connection.run(sql);
  return result.rowsChanged;
}

/** The table's columns COPY fills: the listed ones, or all but IDENTITY columns (Redshift generates those). */
async function targetColumns(connection: DuckDBConnection, copy: CopyCommand): Promise<{ columns: TargetColumn[]; tableId: number }> {
  const parts = copy.table.split(".").map((p) => p.replaceAll('"', ""));
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2]! : undefined;
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type, column_default, table_oid, database_name FROM duckdb_columns()
     WHERE lower(table_name) = lower($1) AND ($2 IS NULL OR lower(schema_name) = lower($2))
     ORDER BY database_name = 'temp' DESC, column_index`,
    [name, schema ?? null],
  );
  const rows = reader.getRowsJS() as [string, string, string | null, bigint | number, string][];
  if (rows.length === 0) throw new CopyError(`relation "${copy.table}" does not exist`);
  const database = rows[0]![4];
  const tableId = Number(rows[0]![3]);
  const all = rows.filter((r) => r[4] === database && Number(r[3]) === tableId);
  let columns: TargetColumn[];
  if (copy.columns) {
    columns = copy.columns.map((c) => {
      const found = all.find((r) => r[0].toLowerCase() === c.toLowerCase());
      if (!found) throw new CopyError(`column "${c}" of relation "${copy.table}" does not exist`);
      return { name: found[0], type: found[1] };
    });
  } else {
    columns = all.filter((r) => !(r[2] ?? "").startsWith("nextval(")).map((r) => ({ name: r[0], type: r[1] }));
  }
  return { columns, tableId };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DuckDB's complaints about the input (as opposed to the engine or the table). */
function isDataError(error: unknown): boolean {
  const message = (error as Error).message ?? "";
  return /Invalid Input Error|Conversion Error|Malformed JSON|could not convert|Could not parse/i.test(message);
}
