import { readFile, writeFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import type { LocalFile } from "./s3-files.ts";

/** A target column of a COPY: its name and DuckDB type. */
export interface TargetColumn {
  readonly name: string;
  readonly type: string;
}

/** One rejected input line, with the fields STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL show. */
export interface LoadError {
  readonly fileName: string;
  readonly lineNumber: number;
  readonly columnName: string;
  readonly columnType: string;
  readonly rawLine: string;
  readonly rawFieldValue: string;
  readonly errorCode: number;
  readonly errorMessage: string;
}

/**
 * The slow path of a COPY, run only when DuckDB rejected the files or keys must be matched
 * case-insensitively: checks every line in JavaScript the way Redshift's JSON 'auto' would,
 * collects the rejected lines, and writes the accepted ones (keys renamed to column names) to
 * `cleanPath` for DuckDB to load.
 */
export async function checkRows(files: readonly LocalFile[], columns: readonly TargetColumn[], ignoreCase: boolean, cleanPath: string): Promise<{ errors: LoadError[]; accepted: number }> {
  const errors: LoadError[] = [];
  const out: string[] = [];
  const byKey = new Map(columns.map((c) => [ignoreCase ? c.name.toLowerCase() : c.name, c]));
  for (const file of files) {
    const raw = await readFile(file.path);
    const text = (file.gzip ? gunzipSync(raw) : raw).toString("utf8");
    const lines = text.split("\n");
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!;
      if (line.trim() === "") continue;
      const at = { fileName: file.url, lineNumber: n + 1, rawLine: line.slice(0, 1024) };
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        errors.push({ ...at, columnName: "", columnType: "", rawFieldValue: "", errorCode: 1216, errorMessage: `Invalid JSON: ${(error as Error).message}`.slice(0, 512) });
        continue;
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        errors.push({ ...at, columnName: "", columnType: "", rawFieldValue: "", errorCode: 1216, errorMessage: "Invalid JSON: a record must be a JSON object" });
        continue;
      }
      const row: Record<string, unknown> = {};
      let rejected: LoadError | undefined;
      for (const [key, field] of Object.entries(value)) {
        const column = byKey.get(ignoreCase ? key.toLowerCase() : key);
        if (!column) continue;
        const problem = field === null ? undefined : fieldProblem(field, column.type);
        if (problem) {
          rejected = { ...at, columnName: column.name, columnType: column.type.toLowerCase(), rawFieldValue: String(typeof field === "object" ? JSON.stringify(field) : field).slice(0, 1024), errorCode: problem.code, errorMessage: problem.message };
          break;
        }
        row[column.name] = field;
      }
      if (rejected) errors.push(rejected);
      else out.push(JSON.stringify(row));
    }
  }
  await writeFile(cleanPath, out.length ? out.join("\n") + "\n" : "");
  return { errors, accepted: out.length };
}

/** Why a JSON value cannot go into a column of DuckDB type `type` (Redshift's load error codes). */
function fieldProblem(value: unknown, type: string): { code: number; message: string } | undefined {
  const t = type.toUpperCase();
  if (t === "JSON") return undefined;
  const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  if (!scalar) return { code: 1224, message: `Invalid JSON type for a ${type.toLowerCase()} column: only a SUPER column takes objects and arrays` };
  if (/INT/.test(t)) {
    const ok = typeof value === "number" ? Number.isInteger(value) : typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value);
    return ok ? undefined : { code: 1207, message: `Invalid digit, Value '${String(value).slice(0, 20)}', Pos 0, Type: Long` };
  }
  if (/DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC/.test(t)) {
    const ok = typeof value === "number" || (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)));
    return ok ? undefined : { code: 1207, message: `Invalid digit, Value '${String(value).slice(0, 20)}', Pos 0, Type: ${t.startsWith("DECIMAL") ? "Decimal" : "Double"}` };
  }
  if (t === "BOOLEAN") {
    const ok = typeof value === "boolean" || value === 0 || value === 1 || (typeof value === "string" && /^(t|f|true|false|y|n|yes|no|1|0)$/i.test(value.trim()));
    return ok ? undefined : { code: 1210, message: `Invalid boolean value '${String(value).slice(0, 20)}'` };
  }
  if (t.startsWith("TIMESTAMP") || t === "DATE") {
    const ok = typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T")));
    return ok ? undefined : { code: t === "DATE" ? 1205 : 1206, message: `Invalid ${t === "DATE" ? "date" : "timestamp"} format or value [${String(value).slice(0, 40)}]` };
  }
  return undefined;
}
