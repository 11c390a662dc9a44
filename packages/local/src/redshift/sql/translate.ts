import { parseCopy, type CopyCommand } from "../copy/parse-copy.ts";
import { SqlTranslationError } from "../errors.ts";
import { isNoOpAccessControl } from "./access-control.ts";
import { translateCreateTable, type TableKeys } from "./create-table.ts";
import { changedTable, type TableChange } from "./changes.ts";
import { rewriteExpressions } from "./functions.ts";
import { parseAnalyze, parseVacuum, tableKey, type AnalyzeCommand, type VacuumCommand } from "./maintenance.ts";
import { isOp, keyword, render, significant, stringLiteral, type Token } from "./tokens.ts";

/** One thing to do for one Redshift statement. */
export type Step =
  | { readonly kind: "sql"; readonly sql: string; readonly returnsRows: boolean; readonly change?: TableChange }
  | { readonly kind: "copy"; readonly copy: CopyCommand; readonly change?: TableChange }
  | { readonly kind: "table-keys"; readonly keys: TableKeys }
  | { readonly kind: "transaction"; readonly action: "begin" | "commit" | "rollback" }
  | { readonly kind: "vacuum"; readonly vacuum: VacuumCommand }
  | { readonly kind: "analyze"; readonly analyze: AnalyzeCommand }
  /** Measure the tables into SVV_TABLE_INFO before the statement that reads it. */
  | { readonly kind: "table-info" }
  | { readonly kind: "lock"; readonly tables: readonly string[] };

/** Redshift's `:name` parameters as the Data API gives them (all values are text). */
export type Parameters = Readonly<Record<string, string>>;

const ROW_STATEMENTS = new Set(["SELECT", "WITH", "SHOW", "VALUES", "EXPLAIN", "TABLE", "DESCRIBE"]);
const DML = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

/** Translates one Redshift statement (its tokens, no `;`) into steps for the DuckDB engine. */
export function translateStatement(statement: readonly Token[], parameters: Parameters = {}): Step[] {
  if (isNoOpAccessControl(significant(statement))) return [];
  const tokens = rewriteExpressions(bindParameters(significant(statement), parameters));
  const first = keyword(tokens[0]);
  const second = keyword(tokens[1]);
  const tableInfo: Step[] = readsTableInfo(tokens) ? [{ kind: "table-info" }] : [];
  switch (first) {
    case "COPY": {
      const copy = parseCopy(tokens);
      const table = tableKey(copy.table);
      return [{ kind: "copy", copy, ...(table ? { change: { table, kind: "insert" as const } } : {}) }];
    }
    case "BEGIN":
    case "START":
      return [{ kind: "transaction", action: "begin" }];
    case "COMMIT":
    case "END":
      return [{ kind: "transaction", action: "commit" }];
    case "ROLLBACK":
    case "ABORT":
      return [{ kind: "transaction", action: "rollback" }];
    case "VACUUM":
      return [{ kind: "vacuum", vacuum: parseVacuum(tokens) }];
    case "LOCK":
      // DuckDB has no table locks (its writers conflict and abort): the runner takes them.
      return [{ kind: "lock", tables: lockedTables(tokens) }];
    case "ANALYZE":
      return [{ kind: "analyze", analyze: parseAnalyze(tokens) }];
    case "CREATE": {
      const tableAt = tokens.findIndex((t, n) => n <= 4 && keyword(t) === "TABLE");
      if (tableAt !== -1 && !["VIEW", "MATERIALIZED"].includes(second)) {
        const { statements, keys } = translateCreateTable(tokens);
        // Keys first: under IF NOT EXISTS they are kept only if the table did not exist before.
        return [{ kind: "table-keys", keys }, ...statements.map((sql) => ({ kind: "sql" as const, sql, returnsRows: false }))];
      }
      return [...tableInfo, { kind: "sql", sql: render(withoutSchemaBinding(tokens)), returnsRows: false }];
    }
    default: {
      const returnsRows = ROW_STATEMENTS.has(first) && !(first === "WITH" && tokens.some((t) => DML.has(keyword(t))));
      const change = changedTable(tokens);
      return [...tableInfo, { kind: "sql", sql: render(tokens), returnsRows, ...(change ? { change } : {}) }];
    }
  }
}

/** True if the statement names SVV_TABLE_INFO (bare or quoted, in any case). */
function readsTableInfo(tokens: readonly Token[]): boolean {
  return tokens.some((t) => (t.kind === "word" || t.kind === "quoted") && t.text.replaceAll('"', "").toLowerCase() === "svv_table_info");
}

/** `CREATE VIEW … WITH NO SCHEMA BINDING` (late-binding views) → a plain DuckDB view. */
function withoutSchemaBinding(tokens: readonly Token[]): Token[] {
  const n = tokens.length;
  if (n >= 4 && keyword(tokens[n - 4]) === "WITH" && keyword(tokens[n - 3]) === "NO" && keyword(tokens[n - 2]) === "SCHEMA" && keyword(tokens[n - 1]) === "BINDING") {
    return tokens.slice(0, n - 4);
  }
  return [...tokens];
}

/**
 * Substitutes `:name` placeholders with the parameter values as string literals: Redshift receives
 * them as text and casts them where they are used, which an untyped DuckDB literal also does.
 */
export function bindParameters(tokens: readonly Token[], parameters: Parameters): Token[] {
  return tokens.map((t) => {
    if (t.kind !== "param") return t;
    const name = t.text.slice(1);
    const value = parameters[name];
    if (value === undefined) throw new SqlTranslationError(`Parameter "${name}" is used in the SQL but has no value in Parameters`);
    return { kind: "string", text: stringLiteral(value) };
  });
}

/** True if a statement's text is only a transaction control command (BEGIN, COMMIT, END, …). */
export function isTransactionControl(statement: readonly Token[]): boolean {
  const tokens = significant(statement);
  return ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"].includes(keyword(tokens[0])) && !isOp(tokens[1], "(");
}

export { SqlTranslationError };

/** `LOCK [TABLE] a, public.b` → `["a", "public.b"]` (unquoted, lower case unless quoted). */
function lockedTables(tokens: readonly Token[]): string[] {
  const names: string[] = [];
  let name = "";
  for (const t of [...tokens.slice(keyword(tokens[1]) === "TABLE" ? 2 : 1), undefined]) {
    if (t === undefined || isOp(t, ",")) {
      if (name === "") throw new SqlTranslationError("syntax error in LOCK: a table name is missing");
      names.push(name);
      name = "";
    } else {
      name += t.kind === "quoted" ? t.text.slice(1, -1) : t.text.toLowerCase();
    }
  }
  return names;
}
