import { SqlTranslationError } from "../errors.ts";
import { closingParen, isOp, keyword, render, splitArgs, stringLiteral, type Token } from "./tokens.ts";

/** What Redshift's physical-design clauses said, kept for SVV_TABLE_INFO. */
export interface TableKeys {
  readonly table: string;
  readonly temporary: boolean;
  /** `IF NOT EXISTS`: an existing table is left as it is (its keys and health too). */
  readonly ifNotExists: boolean;
  readonly diststyle?: string;
  readonly distkey?: string;
  readonly sortkey1?: string;
  /** Every column of the sort key, in order (sortkey1 first). */
  readonly sortkeys?: readonly string[];
}

export interface CreateTableTranslation {
  /** DuckDB statements, in order (sequences for IDENTITY columns first). */
  readonly statements: string[];
  readonly keys: TableKeys;
}

/**
 * `CREATE [TEMP] TABLE` in Redshift → DuckDB: drops `DISTSTYLE`, `DISTKEY`, `SORTKEY`, `ENCODE`,
 * `BACKUP`; drops PRIMARY KEY/UNIQUE/REFERENCES (Redshift does not enforce them, DuckDB would);
 * `IDENTITY(seed, step)` → a sequence default; `(LIKE t)` → an empty copy of t's columns.
 * `tokens` are significant tokens with expression rewrites already applied.
 */
export function translateCreateTable(tokens: readonly Token[]): CreateTableTranslation {
  let i = 1;
  let temporary = false;
  while (["TEMP", "TEMPORARY", "LOCAL", "GLOBAL"].includes(keyword(tokens[i]))) {
    temporary = true;
    i++;
  }
  if (keyword(tokens[i]) !== "TABLE") throw new SqlTranslationError("expected TABLE");
  i++;
  let ifNotExists = false;
  if (keyword(tokens[i]) === "IF" && keyword(tokens[i + 1]) === "NOT" && keyword(tokens[i + 2]) === "EXISTS") {
    ifNotExists = true;
    i += 3;
  }
  const nameStart = i;
  // A name is ident ( "." ident )*: stop before the next word (AS, FROM, …).
  if (tokens[i]?.kind === "word" || tokens[i]?.kind === "quoted") i++;
  while (isOp(tokens[i], ".") && (tokens[i + 1]?.kind === "word" || tokens[i + 1]?.kind === "quoted")) i += 2;
  const nameTokens = tokens.slice(nameStart, i);
  if (nameTokens.length === 0) throw new SqlTranslationError("expected a table name");
  let name = render(nameTokens);
  if (name.startsWith("#")) {
    // Redshift's `#name` is a temporary table.
    temporary = true;
    name = name.slice(1);
  }
  const plainName = nameTokens[nameTokens.length - 1]!.text.replace(/^#/, "").replaceAll('"', "");
  const head = `CREATE ${temporary ? "TEMP " : ""}TABLE ${ifNotExists ? "IF NOT EXISTS " : ""}${name}`;
  const keys: MutableKeys = {};
  const statements: string[] = [];
  let body = "";

  if (isOp(tokens[i], "(")) {
    const close = closingParen(tokens, i);
    const elements = splitArgs(tokens, i, close);
    if (elements.length === 1 && keyword(elements[0]![0]) === "LIKE") {
      const source = render(elements[0]!.slice(1).filter((t) => !["INCLUDING", "EXCLUDING", "DEFAULTS"].includes(keyword(t))));
      statements.push(`${head} AS SELECT * FROM ${source} LIMIT 0`);
      i = close + 1;
      tableAttributes(tokens.slice(i), keys);
      return { statements, keys: { table: plainName, temporary, ifNotExists, ...keys } };
    }
    const columns: string[] = [];
    for (const element of elements) {
      const column = columnDefinition(element, plainName, temporary, keys, statements);
      if (column) columns.push(column);
    }
    body = ` (${columns.join(", ")})`;
    i = close + 1;
  }
  const asAt = tokens.findIndex((t, n) => n >= i && keyword(t) === "AS");
  const attributes = tokens.slice(i, asAt === -1 ? tokens.length : asAt);
  tableAttributes(attributes, keys);
  const query = asAt === -1 ? "" : ` ${render(tokens.slice(asAt))}`;
  statements.push(`${head}${body}${query}`);
  return { statements, keys: { table: plainName, temporary, ifNotExists, ...keys } };
}

const CONSTRAINT_STARTS = new Set(["PRIMARY", "UNIQUE", "FOREIGN", "CONSTRAINT", "CHECK"]);

/** One element of the column list, or undefined when it is a dropped table constraint. */
type MutableKeys = { diststyle?: string; distkey?: string; sortkey1?: string; sortkeys?: string[] };

function columnDefinition(element: readonly Token[], table: string, temporary: boolean, keys: MutableKeys, pre: string[]): string | undefined {
  const first = keyword(element[0]);
  if (CONSTRAINT_STARTS.has(first) && element[0]!.kind === "word") {
    if (first === "CHECK" || (first === "CONSTRAINT" && element.some((t) => keyword(t) === "CHECK"))) return render(element);
    return undefined;
  }
  const out: Token[] = [];
  const column = element[0]!.text.replaceAll('"', "");
  for (let i = 0; i < element.length; i++) {
    const word = keyword(element[i]);
    if (word === "ENCODE") {
      i++;
    } else if (word === "DISTKEY") {
      keys.distkey = column;
    } else if (word === "SORTKEY") {
      keys.sortkey1 ??= column;
      keys.sortkeys ??= [column];
    } else if (word === "PRIMARY" && keyword(element[i + 1]) === "KEY") {
      i++;
    } else if (word === "UNIQUE") {
      // dropped: Redshift does not enforce it
    } else if (word === "REFERENCES") {
      i++;
      if (isOp(element[i + 1], "(")) i = closingParen(element, i + 1);
    } else if (word === "GENERATED" || word === "IDENTITY") {
      let at = i;
      while (at < element.length && keyword(element[at]) !== "IDENTITY") at++;
      let seed = "1";
      let step = "1";
      if (isOp(element[at + 1], "(")) {
        const close = closingParen(element, at + 1);
        const args = splitArgs(element, at + 1, close).map((a) => render(a));
        seed = args[0] ?? "1";
        step = args[1] ?? "1";
        at = close;
      }
      const sequence = `${table}_${column}_seq`;
      pre.push(`CREATE ${temporary ? "TEMP " : ""}SEQUENCE IF NOT EXISTS "${sequence}" START ${seed} INCREMENT ${step}`);
      out.push({ kind: "word", text: `DEFAULT nextval(${stringLiteral(sequence)})` });
      i = at;
    } else {
      out.push(element[i]!);
    }
  }
  return render(out);
}

/** Reads (and so drops) the table attributes after the column list. */
function tableAttributes(tokens: readonly Token[], keys: MutableKeys): void {
  for (let i = 0; i < tokens.length; i++) {
    const word = keyword(tokens[i]);
    if (word === "DISTSTYLE") {
      keys.diststyle = keyword(tokens[++i]);
    } else if (word === "DISTKEY" && isOp(tokens[i + 1], "(")) {
      const close = closingParen(tokens, i + 1);
      keys.distkey = render(tokens.slice(i + 2, close)).replaceAll('"', "");
      i = close;
    } else if (word === "SORTKEY" && isOp(tokens[i + 1], "(")) {
      const close = closingParen(tokens, i + 1);
      keys.sortkeys = splitArgs(tokens, i + 1, close).map((column) => render(column).replaceAll('"', ""));
      keys.sortkey1 = keys.sortkeys[0];
      i = close;
    } else if (word === "SORTKEY" && keyword(tokens[i + 1]) === "AUTO") {
      i++;
    } else if (word === "BACKUP" || word === "ENCODE") {
      i++;
    } else if (word === "COMPOUND" || word === "INTERLEAVED") {
      // precedes SORTKEY
    } else {
      throw new SqlTranslationError(`unsupported table attribute near "${tokens[i]!.text}"`);
    }
  }
  if (keys.distkey && !keys.diststyle) keys.diststyle = "KEY";
}
