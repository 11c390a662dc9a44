import { IpLiteralError, PatternSyntaxError, PatternValueError, WildcardSyntaxError } from "./errors.ts";
import { parseCidr } from "./ip-address.ts";
import type { Matcher, NumericBound } from "./matchers.ts";
import { comparableNumber, compareNumbers } from "./numbers.ts";
import { isNumericToken, type PatternParser, type Token } from "./pattern-parser.ts";
import { parseWildcard, type WildcardPattern } from "./wildcard.ts";

/**
 * Reads one `{ "<operator>": … }` entry of a pattern field, the parser standing on its `{`. Every
 * check and message follows EventBridge's rule compiler, in the same order, so an invalid pattern
 * is refused with the reason AWS gives at the position AWS gives.
 */

type AnythingButKind = "anything-but" | "anything-but-ignore-case" | "anything-but-prefix" | "anything-but-suffix" | "anything-but-wildcard";

export function readMatchExpression(p: PatternParser): Matcher {
  if (p.nextToken() !== "FIELD_NAME") p.fail("Match expression name not found");
  const type = p.currentName;
  switch (type) {
    case "exactly": {
      if (p.nextToken() !== "VALUE_STRING") p.fail("exact match pattern must be a string");
      const value = p.text;
      endOfExpression(p);
      return { kind: "string", value };
    }
    case "prefix":
    case "suffix": {
      const token = p.nextToken();
      if (token === "START_OBJECT") return readIgnoreCaseAffix(p, type);
      if (token !== "VALUE_STRING") p.fail(`${type} match pattern must be a string`);
      const value = p.text;
      endOfExpression(p);
      return { kind: type, value, ignoreCase: false };
    }
    case "numeric": {
      if (p.nextToken() !== "START_ARRAY") p.fail("Value of numeric must be an array.");
      const range = readNumericRange(p);
      if (p.nextToken() !== "END_OBJECT") p.fail("Too many elements in numeric expression");
      return range;
    }
    case "anything-but":
      return readAnythingBut(p);
    case "exists": {
      const token = p.nextToken();
      if (token !== "VALUE_TRUE" && token !== "VALUE_FALSE") p.fail("exists match pattern must be either true or false.");
      endOfExpression(p);
      return { kind: "exists", exists: token === "VALUE_TRUE" };
    }
    case "cidr": {
      if (p.nextToken() !== "VALUE_STRING") p.fail("prefix match pattern must be a string");
      const range = cidr(p.text);
      endOfExpression(p);
      return { kind: "cidr", range };
    }
    case "equals-ignore-case": {
      if (p.nextToken() !== "VALUE_STRING") p.fail("equals-ignore-case match pattern must be a string");
      const value = p.text;
      endOfExpression(p);
      return { kind: "equals-ignore-case", value };
    }
    case "wildcard": {
      if (p.nextToken() !== "VALUE_STRING") p.fail("wildcard match pattern must be a string");
      const pattern = wildcard(p, p.text);
      endOfExpression(p);
      return { kind: "wildcard", pattern };
    }
    default:
      return p.fail(`Unrecognized match type ${type}`);
  }
}

function endOfExpression(p: PatternParser): void {
  if (p.nextToken() !== "END_OBJECT") p.fail("Only one key allowed in match expression");
}

/** `{"prefix": {"equals-ignore-case": "…"}}` and the same for `suffix`; the parser is on the inner `{`. */
function readIgnoreCaseAffix(p: PatternParser, type: "prefix" | "suffix"): Matcher {
  const label = type === "prefix" ? "Prefix" : "Suffix";
  if (p.nextToken() !== "FIELD_NAME") p.fail(`${label} expression name not found`);
  if (p.currentName !== "equals-ignore-case") p.fail(`Unsupported ${type} pattern: ${p.currentName}`);
  if (p.nextToken() !== "VALUE_STRING") p.fail("equals-ignore-case match pattern must be a string");
  const value = p.text;
  endOfExpression(p);
  endOfExpression(p);
  return { kind: type, value, ignoreCase: true };
}

function readAnythingBut(p: PatternParser): Matcher {
  let kind: AnythingButKind = "anything-but";
  let token = p.nextToken();
  if (token === "START_OBJECT") {
    if (p.nextToken() !== "FIELD_NAME") p.fail("Anything-But expression name not found");
    const op = p.currentName;
    if (op === "equals-ignore-case") kind = "anything-but-ignore-case";
    else if (op === "prefix") kind = "anything-but-prefix";
    else if (op === "suffix") kind = "anything-but-suffix";
    else if (op === "wildcard") kind = "anything-but-wildcard";
    else p.fail(`Unsupported anything-but pattern: ${op}`);
    token = p.nextToken();
  }
  if (token !== "START_ARRAY" && token !== "VALUE_STRING" && !isNumericToken(token)) {
    p.fail("Value of anything-but must be an array or single string/number value.");
  }
  let matcher: Matcher;
  if (kind === "anything-but") {
    matcher = token === "START_ARRAY" ? readAnythingButList(p) : readAnythingButValue(p, token as Token);
  } else {
    const values = token === "START_ARRAY" ? readAnythingButSetList(p, kind) : [readAnythingButSetValue(p, token as Token, kind)];
    matcher = anythingButSet(p, kind, values);
  }
  if (p.nextToken() !== "END_OBJECT") p.fail("Too many elements in numeric expression");
  if (kind !== "anything-but" && p.nextToken() !== "END_OBJECT") p.fail("Too many elements in numeric expression");
  return matcher;
}

function readAnythingButValue(p: PatternParser, token: Token): Matcher {
  if (token === "VALUE_STRING") return { kind: "anything-but", strings: new Set([p.text]), numbers: [] };
  return { kind: "anything-but", strings: new Set(), numbers: [comparableOrThrow(p.text)] };
}

/** A list of strings or of numbers. Errors inside the list carry the position twice, as AWS's do. */
function readAnythingButList(p: PatternParser): Matcher {
  const strings = new Set<string>();
  const numbers: number[] = [];
  rethrowLocated(p, () => {
    let token: Token | null;
    while ((token = p.nextToken()) !== "END_ARRAY") {
      if (token === "VALUE_STRING") strings.add(p.text);
      else if (isNumericToken(token)) numbers.push(comparableOrThrow(p.text));
      else p.fail("Inside anything but list, start|null|boolean is not supported.");
    }
  });
  if ((strings.size > 0) === (numbers.length > 0)) {
    p.fail("Inside anything but list, either all values are number or string, mixed type is not supported");
  }
  return { kind: "anything-but", strings, numbers };
}

function readAnythingButSetList(p: PatternParser, kind: AnythingButKind): string[] {
  const values: string[] = [];
  rethrowLocated(p, () => {
    let token: Token | null;
    while ((token = p.nextToken()) !== "END_ARRAY") values.push(readAnythingButSetValue(p, token as Token, kind));
  });
  return [...new Set(values)];
}

function readAnythingButSetValue(p: PatternParser, token: Token, kind: AnythingButKind): string {
  if (token === "VALUE_STRING") {
    const text = p.text;
    if ((kind === "anything-but-prefix" || kind === "anything-but-suffix") && text === "") {
      p.fail("Null prefix/suffix not allowed");
    }
    return text;
  }
  if (kind === "anything-but-ignore-case") {
    p.fail("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
  }
  if (kind === "anything-but-wildcard") p.fail("wildcard match pattern must be a string");
  return p.fail("prefix/suffix match pattern must be a string");
}

function anythingButSet(p: PatternParser, kind: AnythingButKind, values: string[]): Matcher {
  switch (kind) {
    case "anything-but-wildcard":
      return { kind, patterns: values.map((v) => wildcard(p, v)) };
    case "anything-but-ignore-case":
    case "anything-but-prefix":
    case "anything-but-suffix":
      return { kind, values };
    default:
      throw new Error(`not a set kind: ${kind}`);
  }
}

/** `["<op>", n]` or `[">"|">=", n, "<"|"<=", m]`; the parser is on the `[`. */
function readNumericRange(p: PatternParser): Matcher {
  if (p.nextToken() !== "VALUE_STRING") p.fail(`Invalid member in numeric match: ${p.text}`);
  const op = p.text;
  let token = p.nextToken();
  const numeric = (label: string) => {
    if (!isNumericToken(token)) p.fail(`Value of ${label} must be numeric`);
    return p.text;
  };
  try {
    switch (op) {
      case "=": {
        const text = numeric("equals");
        if (p.nextToken() !== "END_ARRAY") p.fail("Too many elements in numeric expression");
        const value = bound(text, false);
        return { kind: "numeric", lower: value, upper: value };
      }
      case ">=":
      case ">": {
        const bottom = numeric(op);
        token = p.nextToken();
        if (token === "END_ARRAY") return { kind: "numeric", lower: bound(bottom, op === ">") };
        return readRangeTop(p, token, bottom, op === ">");
      }
      case "<=":
      case "<": {
        const top = numeric(op);
        if (p.nextToken() !== "END_ARRAY") p.fail("Too many elements in numeric expression");
        return { kind: "numeric", upper: bound(top, op === "<") };
      }
      default:
        return p.fail(`Unrecognized numeric range operator: ${op}`);
    }
  } catch (error) {
    if (error instanceof PatternValueError) p.fail(error.message, { cause: error });
    throw error;
  }
}

function readRangeTop(p: PatternParser, token: Token | null, bottom: string, openBottom: boolean): Matcher {
  if (token !== "VALUE_STRING") p.fail(`Bad value in numeric range: ${p.text}`);
  const op = p.text;
  if (op !== "<" && op !== "<=") p.fail(`Bad numeric range operator: ${op}`);
  if (!isNumericToken(p.nextToken())) p.fail(`Value of ${op} must be numeric`);
  const top = p.text;
  if (p.nextToken() !== "END_ARRAY") p.fail("Too many terms in numeric range expression");
  const lower = bound(bottom, openBottom);
  const upper = bound(top, op === "<");
  if (compareNumbers(lower.value, upper.value) >= 0) throw new PatternValueError("Bottom must be less than top");
  return { kind: "numeric", lower, upper };
}

function bound(text: string, open: boolean): NumericBound {
  return { value: comparableOrThrow(text), open };
}

function comparableOrThrow(text: string): number {
  const n = comparableNumber(text);
  if (!n) throw new PatternValueError(`Cannot compare number : ${text}`);
  return n.value;
}

function cidr(text: string) {
  try {
    return parseCidr(text);
  } catch (error) {
    if (error instanceof IpLiteralError) throw new PatternValueError(error.message, { cause: error });
    throw error;
  }
}

function wildcard(p: PatternParser, text: string): WildcardPattern {
  try {
    return parseWildcard(text);
  } catch (error) {
    if (error instanceof WildcardSyntaxError) p.fail(error.message, { cause: error });
    throw error;
  }
}

/** AWS re-reports an error raised while reading an `anything-but` list, so its position appears twice. */
function rethrowLocated(p: PatternParser, read: () => void): void {
  try {
    read();
  } catch (error) {
    if (error instanceof PatternSyntaxError || error instanceof PatternValueError) p.fail(error.message, { cause: error });
    throw error;
  }
}
