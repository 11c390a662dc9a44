import { SqlTranslationError } from "../errors.ts";

/**
 * A lexical token of Redshift SQL. Rewrites work on tokens so that keywords inside string
 * literals, quoted identifiers or comments are never touched.
 */
export interface Token {
  readonly kind: "word" | "quoted" | "string" | "number" | "param" | "op" | "ws" | "comment";
  text: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff#]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff#]/;
const DIGIT = /[0-9]/;

/** Splits SQL into tokens; joining every token's `text` gives the input back exactly. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token["kind"], end: number) => {
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? "";
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j]!)) j++;
      push("ws", j);
    } else if (c === "-" && next === "-") {
      const nl = sql.indexOf("\n", i);
      push("comment", nl === -1 ? sql.length : nl);
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) throw new SqlTranslationError("unterminated /* comment");
      push("comment", end + 2);
    } else if (c === "'" || ((c === "E" || c === "e") && next === "'")) {
      push("string", endOfQuoted(sql, c === "'" ? i : i + 1, "'"));
    } else if (c === '"') {
      push("quoted", endOfQuoted(sql, i, '"'));
    } else if (DIGIT.test(c) || (c === "." && DIGIT.test(next))) {
      let j = i + 1;
      while (j < sql.length && /[0-9.]/.test(sql[j]!)) j++;
      if ((sql[j] === "e" || sql[j] === "E") && /[-+0-9]/.test(sql[j + 1] ?? "")) {
        j += 2;
        while (j < sql.length && DIGIT.test(sql[j]!)) j++;
      }
      push("number", j);
    } else if (c === ":" && next !== ":" && WORD_START.test(next) && sql[i - 1] !== ":") {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      push("param", j);
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      push("word", j);
    } else if (c === ":" && next === ":") {
      push("op", i + 2);
    } else if ("<>!=|".includes(c) && "=>|".includes(next)) {
      push("op", i + 2);
    } else {
      push("op", i + 1);
    }
  }
  return tokens;
}

function endOfQuoted(sql: string, start: number, quote: string): number {
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] === "\\" && quote === "'") {
      j += 2;
      continue;
    }
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  throw new SqlTranslationError(`unterminated ${quote === "'" ? "string literal" : "quoted identifier"}`);
}

export function join(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join("");
}

/** Tokens that carry meaning (no whitespace, no comments). */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== "ws" && t.kind !== "comment");
}

/** Upper-cased text of a bare word, "" for anything else. */
export function keyword(token: Token | undefined): string {
  return token?.kind === "word" ? token.text.toUpperCase() : "";
}

export function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === "op" && token.text === text;
}

/** Index of the `)` closing the `(` at `open` in a significant-token list. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], "(")) depth++;
    else if (isOp(tokens[i], ")") && --depth === 0) return i;
  }
  throw new SqlTranslationError("unbalanced parentheses");
}

/** Splits the tokens strictly inside the parentheses at `open`…`close` on top-level commas. */
export function splitArgs(tokens: readonly Token[], open: number, close: number): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i]!;
    if (isOp(t, "(")) depth++;
    if (isOp(t, ")")) depth--;
    if (depth === 0 && isOp(t, ",")) args.push([]);
    else args[args.length - 1]!.push(t);
  }
  return args.length === 1 && args[0]!.length === 0 ? [] : args;
}

/** Re-joins significant tokens with single spaces where two words would otherwise fuse. */
export function render(tokens: readonly Token[]): string {
  let out = "";
  let prev: Token | undefined;
  for (const t of tokens) {
    if (prev && needsSpace(prev, t)) out += " ";
    out += t.text;
    prev = t;
  }
  return out;
}

function needsSpace(a: Token, b: Token): boolean {
  if (b.kind === "op" && [",", ")", ".", "::"].includes(b.text)) return false;
  if (a.kind === "op" && ["(", ".", "::"].includes(a.text)) return false;
  return true;
}

/** Splits a script into statements on top-level `;` (empty statements dropped). */
export function splitStatements(sql: string): Token[][] {
  const statements: Token[][] = [[]];
  for (const t of tokenize(sql)) {
    if (isOp(t, ";")) statements.push([]);
    else statements[statements.length - 1]!.push(t);
  }
  return statements.filter((s) => significant(s).length > 0);
}

export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The value of a plain `'…'` literal token. */
export function literalValue(token: Token): string {
  if (token.kind !== "string" || !token.text.startsWith("'")) throw new SqlTranslationError(`expected a string literal, found ${token.text}`);
  return token.text.slice(1, -1).replaceAll("''", "'").replaceAll("\\'", "'");
}
