import { SqlTranslationError } from "../errors.ts";
import { closingParen, isOp, keyword, type Token } from "./tokens.ts";

/**
 * Redshift's `VACUUM [FULL | SORT ONLY | DELETE ONLY | REINDEX | RECLUSTER] [table] [TO n PERCENT] [BOOST]`.
 * `sort`: the sort phase runs (FULL, SORT ONLY, REINDEX, RECLUSTER); `reclaim`: the delete phase
 * runs (FULL, DELETE ONLY, REINDEX). `threshold` is Redshift's default 95 unless `TO n PERCENT`.
 */
export interface VacuumCommand {
  readonly table?: string;
  readonly sort: boolean;
  readonly reclaim: boolean;
  readonly threshold: number;
}

/** Redshift's `ANALYZE [VERBOSE] [table [(columns)]] [PREDICATE COLUMNS | ALL COLUMNS]`. */
export interface AnalyzeCommand {
  /** The table as written (schema-qualified or not); undefined: every table of the database. */
  readonly table?: string;
  readonly columns?: readonly string[];
}

/** Redshift's default VACUUM threshold: the sort phase is skipped when more rows than this percent are sorted. */
export const DEFAULT_VACUUM_THRESHOLD = 95;

const VACUUM_MODES: Readonly<Record<string, { sort: boolean; reclaim: boolean; words: number }>> = {
  FULL: { sort: true, reclaim: true, words: 1 },
  SORT: { sort: true, reclaim: false, words: 2 },
  DELETE: { sort: false, reclaim: true, words: 2 },
  REINDEX: { sort: true, reclaim: true, words: 1 },
  RECLUSTER: { sort: true, reclaim: false, words: 1 },
};

/** Parses the significant tokens of a VACUUM statement (a syntax error for anything else). */
export function parseVacuum(tokens: readonly Token[]): VacuumCommand {
  let i = 1;
  let mode = { sort: true, reclaim: true };
  const word = keyword(tokens[i]);
  const known = VACUUM_MODES[word];
  if (known && tokens[i]!.kind === "word") {
    if (known.words === 2 && keyword(tokens[i + 1]) !== "ONLY") throw syntax("VACUUM", tokens[i + 1]);
    mode = known;
    i += known.words;
  }
  let table: string | undefined;
  if (isName(tokens[i]) && !["TO", "BOOST"].includes(keyword(tokens[i]))) {
    const name = readName(tokens, i);
    table = name.text;
    i = name.end;
  }
  let threshold = DEFAULT_VACUUM_THRESHOLD;
  if (keyword(tokens[i]) === "TO") {
    const value = tokens[i + 1];
    threshold = value?.kind === "number" ? Number(value.text) : NaN;
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > 100) {
      throw new SqlTranslationError(`VACUUM threshold must be an integer between 0 and 100, not ${value?.text ?? "nothing"}`);
    }
    if (keyword(tokens[i + 2]) !== "PERCENT") throw syntax("VACUUM", tokens[i + 2]);
    i += 3;
  }
  // BOOST runs the vacuum with more resources: nothing to change locally.
  if (keyword(tokens[i]) === "BOOST") i++;
  if (i < tokens.length) throw syntax("VACUUM", tokens[i]);
  return { ...(table ? { table } : {}), sort: mode.sort, reclaim: mode.reclaim, threshold };
}

/** Parses the significant tokens of an ANALYZE statement (a syntax error for anything else). */
export function parseAnalyze(tokens: readonly Token[]): AnalyzeCommand {
  let i = 1;
  if (keyword(tokens[i]) === "VERBOSE") i++;
  let table: string | undefined;
  let columns: string[] | undefined;
  const predicateClause = ["PREDICATE", "ALL"].includes(keyword(tokens[i])) && keyword(tokens[i + 1]) === "COLUMNS";
  if (isName(tokens[i]) && !predicateClause) {
    const name = readName(tokens, i);
    table = name.text;
    i = name.end;
    if (isOp(tokens[i], "(")) {
      const close = closingParen(tokens, i);
      columns = tokens.slice(i + 1, close).filter((t) => !isOp(t, ",")).map((t) => unquote(t.text));
      i = close + 1;
    }
  }
  if (["PREDICATE", "ALL"].includes(keyword(tokens[i])) && keyword(tokens[i + 1]) === "COLUMNS") i += 2;
  if (i < tokens.length) throw syntax("ANALYZE", tokens[i]);
  return { ...(table ? { table } : {}), ...(columns ? { columns } : {}) };
}

/** A table written ident ( "." ident )* from `start`: its text and the index after it. */
export function readName(tokens: readonly Token[], start: number): { text: string; end: number } {
  let i = start;
  if (!isName(tokens[i])) throw new SqlTranslationError(`expected a table name near "${tokens[i]?.text ?? "end of input"}"`);
  let text = tokens[i]!.text;
  i++;
  while (isOp(tokens[i], ".") && isName(tokens[i + 1])) {
    text += `.${tokens[i + 1]!.text}`;
    i += 2;
  }
  return { text, end: i };
}

/**
 * The name a table's health is kept under: the last part of the name, unquoted (as
 * `freshet_internal.table_keys` keeps it); undefined for Redshift's `#temp` tables.
 */
export function tableKey(name: string): string | undefined {
  const last = name.split(".").pop()!;
  if (last.startsWith("#")) return undefined;
  return unquote(last);
}

/** A table name for DuckDB: Redshift's default schema `public` is DuckDB's `main`. */
export function localTableName(name: string): string {
  return name.replace(/^(?:public|"public")\./i, "main.");
}

function isName(token: Token | undefined): boolean {
  return token?.kind === "word" || token?.kind === "quoted";
}

function unquote(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text;
}

function syntax(command: string, token: Token | undefined): SqlTranslationError {
  return new SqlTranslationError(`syntax error in ${command} at or near "${token?.text ?? "end of input"}"`);
}
