import { SqlTranslationError } from "../errors.ts";
import { closingParen, isOp, keyword, splitArgs, stringLiteral, type Token } from "./tokens.ts";

/**
 * Expression-level rewrites of Redshift SQL into DuckDB SQL that macros cannot do (macros, in
 * `macros.ts`, cover GETDATE, NVL, NVL2, DATEADD, JSON_EXTRACT_PATH_TEXT, CONVERT_TIMEZONE, …):
 * date-part keywords become string literals, `LISTAGG … WITHIN GROUP (ORDER BY …)` becomes
 * `string_agg(… ORDER BY …)`, `APPROXIMATE COUNT(DISTINCT x)` becomes `approx_count_distinct(x)`,
 * `SYSDATE` a call, `SUPER` → `JSON`, `VARCHAR(MAX)` → `VARCHAR`, and `CAST(x AS VARCHAR…)` →
 * `redshift_varchar(x)`: DuckDB would cast a JSON string navigated out of a SUPER to its JSON text
 * (quoted), Redshift to the string itself.
 */
export function rewriteExpressions(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const word = keyword(t);
    const next = tokens[i + 1];
    if (word === "SYSDATE" && !isOp(next, "(")) {
      out.push(word_("getdate"), op("("), op(")"));
    } else if (word === "SUPER") {
      out.push(word_("JSON"));
    } else if (word === "APPROXIMATE" && keyword(next) === "COUNT" && isOp(tokens[i + 2], "(") && keyword(tokens[i + 3]) === "DISTINCT") {
      const close = closingParen(tokens, i + 2);
      out.push(word_("approx_count_distinct"), op("("), ...rewriteExpressions(tokens.slice(i + 4, close)), op(")"));
      i = close;
    } else if (isOp(next, "(") && word === "CAST" && castsToVarchar(tokens, i + 1)) {
      const close = closingParen(tokens, i + 1);
      const as = topLevelAs(tokens, i + 1, close);
      out.push(word_("redshift_varchar"), op("("), ...rewriteExpressions(tokens.slice(i + 2, as)), op(")"));
      i = close;
    } else if (isOp(next, "(") && word === "LISTAGG") {
      i = listagg(tokens, i, out);
    } else if (isOp(next, "(") && DATE_PART_FUNCTIONS.has(word)) {
      const close = closingParen(tokens, i + 1);
      const args = splitArgs(tokens, i + 1, close).map(rewriteExpressions);
      const unit = args[0];
      if (unit?.length === 1 && (unit[0]!.kind === "word" || unit[0]!.kind === "quoted" || unit[0]!.kind === "string")) {
        args[0] = [{ kind: "string", text: stringLiteral(datePart(unit[0]!)) }];
      }
      out.push(word_(DATE_PART_FUNCTIONS.get(word)!), op("("), ...joinArgs(args), op(")"));
      i = close;
    } else if (isOp(next, "(") && keyword(tokens[i + 2]) === "MAX" && isOp(tokens[i + 3], ")") && VARYING_TYPES.has(word)) {
      out.push(t);
      i += 3;
    } else {
      out.push(t);
    }
  }
  return out;
}

const DATE_PART_FUNCTIONS = new Map([
  ["DATEADD", "dateadd"],
  ["DATE_ADD", "dateadd"],
  ["DATEDIFF", "datediff"],
  ["DATE_DIFF", "datediff"],
  ["DATEPART", "date_part"],
  ["DATE_PART", "date_part"],
  ["DATE_TRUNC", "date_trunc"],
]);

const VARYING_TYPES = new Set(["VARCHAR", "VARYING", "NVARCHAR", "TEXT", "VARBYTE"]);
const VARCHAR_TYPES = new Set(["VARCHAR", "NVARCHAR", "TEXT", "CHARACTER"]);

/** The `AS` of `CAST(… AS type)` at the parenthesis depth of `open`, or -1. */
function topLevelAs(tokens: readonly Token[], open: number, close: number): number {
  let depth = 0;
  for (let n = open + 1; n < close; n++) {
    if (isOp(tokens[n], "(")) depth++;
    else if (isOp(tokens[n], ")")) depth--;
    else if (depth === 0 && keyword(tokens[n]) === "AS") return n;
  }
  return -1;
}

/** `CAST(x AS VARCHAR[(n)])`, `… AS TEXT`, `… AS CHARACTER VARYING[(n)]` (not CHAR: it pads). */
function castsToVarchar(tokens: readonly Token[], open: number): boolean {
  const close = closingParen(tokens, open);
  const as = topLevelAs(tokens, open, close);
  if (as === -1) return false;
  const type = keyword(tokens[as + 1]);
  if (!VARCHAR_TYPES.has(type)) return false;
  return type !== "CHARACTER" || keyword(tokens[as + 2]) === "VARYING";
}

/** Redshift's date-part names and abbreviations (docs: "Date parts for date or timestamp functions"). */
const DATE_PARTS: Readonly<Record<string, string>> = {
  millennium: "millennium", millennia: "millennium", mil: "millennium", mils: "millennium",
  century: "century", centuries: "century", c: "century", cent: "century", cents: "century",
  decade: "decade", decades: "decade", dec: "decade", decs: "decade",
  year: "year", years: "year", y: "year", yr: "year", yrs: "year",
  quarter: "quarter", quarters: "quarter", qtr: "quarter", qtrs: "quarter",
  month: "month", months: "month", mon: "month", mons: "month",
  week: "week", weeks: "week", w: "week",
  dayofweek: "dayofweek", dow: "dayofweek", dw: "dayofweek", weekday: "dayofweek",
  dayofyear: "dayofyear", doy: "dayofyear", dy: "dayofyear", yearday: "dayofyear",
  day: "day", days: "day", d: "day",
  hour: "hour", hours: "hour", h: "hour", hr: "hour", hrs: "hour",
  minute: "minute", minutes: "minute", m: "minute", min: "minute", mins: "minute",
  second: "second", seconds: "second", s: "second", sec: "second", secs: "second",
  millisecond: "millisecond", milliseconds: "millisecond", ms: "millisecond", msec: "millisecond", msecs: "millisecond", msecond: "millisecond", mseconds: "millisecond", millisec: "millisecond", millisecs: "millisecond", millisecon: "millisecond",
  microsecond: "microsecond", microseconds: "microsecond", microsec: "microsecond", microsecs: "microsecond", microsecond_: "microsecond", usecond: "microsecond", useconds: "microsecond", us: "microsecond", usec: "microsecond", usecs: "microsecond",
  epoch: "epoch",
};

function datePart(token: Token): string {
  const raw = token.kind === "word" ? token.text : token.text.slice(1, -1);
  const part = DATE_PARTS[raw.toLowerCase()];
  if (!part) throw new SqlTranslationError(`"${raw}" is not a recognized date part`);
  return part;
}

/** LISTAGG([DISTINCT] x [, sep]) [WITHIN GROUP (ORDER BY …)] → string_agg([DISTINCT] x, sep [ORDER BY …]). */
function listagg(tokens: readonly Token[], at: number, out: Token[]): number {
  const close = closingParen(tokens, at + 1);
  const args = splitArgs(tokens, at + 1, close).map(rewriteExpressions);
  if (args.length === 0 || args.length > 2) throw new SqlTranslationError("LISTAGG takes one or two arguments");
  if (args.length === 1) args.push([{ kind: "string", text: "''" }]);
  let end = close;
  let order: Token[] = [];
  if (keyword(tokens[close + 1]) === "WITHIN" && keyword(tokens[close + 2]) === "GROUP" && isOp(tokens[close + 3], "(")) {
    end = closingParen(tokens, close + 3);
    order = rewriteExpressions(tokens.slice(close + 4, end));
  }
  out.push(word_("string_agg"), op("("), ...joinArgs(args), ...order, op(")"));
  return end;
}

function joinArgs(args: readonly Token[][]): Token[] {
  return args.flatMap((arg, n) => (n === 0 ? arg : [op(","), ...arg]));
}

function word_(text: string): Token {
  return { kind: "word", text };
}

function op(text: string): Token {
  return { kind: "op", text };
}
