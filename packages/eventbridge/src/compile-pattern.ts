import { InvalidEventPatternError, PatternSyntaxError, PatternValueError } from "./errors.ts";
import { parseIp } from "./ip-address.ts";
import { readMatchExpression } from "./match-expressions.ts";
import type { Matcher } from "./matchers.ts";
import { comparableNumber } from "./numbers.ts";
import { PatternParser, type Token } from "./pattern-parser.ts";
import { MAX_WILDCARD_COMPLEXITY, wildcardComplexity } from "./wildcard-complexity.ts";
import { wildcardBytes } from "./wildcard.ts";

/**
 * An event pattern ready to match: its `$or` alternatives expanded into branches, each a map from
 * field path (keys joined with `.`, as EventBridge joins them) to the alternatives for that field.
 * A branch matches when every field does; the pattern matches when any branch does.
 */
export interface CompiledEventPattern {
  readonly source: string;
  readonly branches: readonly ReadonlyMap<string, readonly Matcher[]>[];
}

type Branch = Map<string, readonly Matcher[]>;

/**
 * `$or` alternatives multiply: a pattern of twenty two-way `$or`s has a million branches. AWS has no
 * documented figure; this local ceiling keeps one pattern from exhausting the process.
 */
export const MAX_PATTERN_BRANCHES = 1024;

// Operator names (and names EventBridge reserves for future operators) are refused as field names inside `$or`.
const RESERVED_IN_OR = new Set([
  "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
  "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after", "date-on-or-after",
  "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
]);

const TOO_COMPLEX =
  "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/** Compiles a pattern, throwing `InvalidEventPatternError` with AWS's reason when it is not valid. */
export function compileEventPattern(source: string): CompiledEventPattern {
  let branches: Branch[];
  try {
    branches = readPattern(source);
  } catch (error) {
    if (error instanceof PatternSyntaxError || error instanceof PatternValueError) {
      throw new InvalidEventPatternError(error.message, { cause: error });
    }
    throw error;
  }
  if (patternComplexity(branches) > MAX_WILDCARD_COMPLEXITY) throw new InvalidEventPatternError(TOO_COMPLEX);
  return { source, branches };
}

/** Throws `InvalidEventPatternError` (AWS's `InvalidEventPatternException` reason) unless `source` is a valid pattern. */
export function validatePattern(source: string): void {
  compileEventPattern(source);
}

function readPattern(source: string): Branch[] {
  const p = new PatternParser(source);
  const branches: Branch[] = [];
  if (p.nextToken() !== "START_OBJECT") p.fail("Filter is not an object");
  readObject(p, branches, [], false);
  return branches;
}

function readObject(p: PatternParser, branches: Branch[], path: string[], insideOr: boolean): void {
  let fields = false;
  while (p.nextToken() !== "END_OBJECT") {
    fields = true;
    const step = p.currentName;
    if (step === "$or") {
      readOr(p, branches, path);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(step)) p.fail(`${step} is Ruler reserved fieldName which cannot be used inside $or.`);
    const token: Token | null = p.nextToken();
    if (token === "START_OBJECT") {
      path.push(step);
      readObject(p, branches, path, insideOr);
      path.pop();
    } else if (token === "START_ARRAY") {
      readField(p, branches, [...path, step].join("."));
    } else {
      p.fail(`"${step}" must be an object or an array`);
    }
  }
  if (!fields) p.fail("Empty objects are not allowed");
}

/** `"$or": [ {…}, {…}, … ]`: every branch so far is forked once per alternative. */
function readOr(p: PatternParser, branches: Branch[], path: string[]): void {
  const before = branches.map((b) => new Map(b));
  branches.length = 0;
  if (p.nextToken() !== "START_ARRAY") p.fail("It must be an Array followed with $or.");
  let alternatives = 0;
  let token: Token | null;
  while ((token = p.nextToken()) !== "END_ARRAY") {
    alternatives++;
    if (token !== "START_OBJECT") p.fail("Only JSON object is allowed in array of $or relationship.");
    const forked = before.length > 0 ? before.map((b) => new Map(b)) : [new Map()];
    readObject(p, forked, path, true);
    branches.push(...forked);
    if (branches.length > MAX_PATTERN_BRANCHES) {
      p.fail(`Too many $or combinations: more than ${MAX_PATTERN_BRANCHES} (a local limit)`);
    }
  }
  if (alternatives < 2) p.fail("There must have at least 2 Objects in $or relationship.");
}

/** `"field": [ value, {operator}, … ]`, the parser on the `[`. A field named twice keeps its last array. */
function readField(p: PatternParser, branches: Branch[], name: string): void {
  const matchers: Matcher[] = [];
  let token: Token | null;
  while ((token = p.nextToken()) !== "END_ARRAY") {
    switch (token) {
      case "START_OBJECT":
        matchers.push(readMatchExpression(p));
        break;
      case "VALUE_STRING": {
        const value = p.text;
        const ip = parseIp(value);
        matchers.push(ip ? { kind: "string", value, ip } : { kind: "string", value });
        break;
      }
      case "VALUE_NUMBER_INT":
      case "VALUE_NUMBER_FLOAT":
        matchers.push({ kind: "number", text: p.text, comparable: comparableNumber(p.text) });
        break;
      case "VALUE_NULL":
        matchers.push({ kind: "literal", value: "null" });
        break;
      case "VALUE_TRUE":
        matchers.push({ kind: "literal", value: "true" });
        break;
      case "VALUE_FALSE":
        matchers.push({ kind: "literal", value: "false" });
        break;
      default:
        p.fail("Match value must be String, number, true, false, or null");
    }
  }
  if (matchers.length === 0) p.fail("Empty arrays are not allowed");
  if (branches.length === 0) branches.push(new Map());
  for (const branch of branches) branch.set(name, matchers);
}

/** The worst wildcard complexity over the pattern's fields (all branches' wildcards on one field together). */
function patternComplexity(branches: readonly Branch[]): number {
  const byField = new Map<string, Map<string, number[][]>>();
  for (const branch of branches) {
    for (const [field, matchers] of branch) {
      for (const m of matchers) {
        let group: number[][] | undefined;
        let identity: string | undefined;
        if (m.kind === "wildcard") {
          group = [wildcardBytes(m.pattern)];
          identity = `w:${m.pattern.source}`;
        } else if (m.kind === "anything-but-wildcard") {
          group = m.patterns.map(wildcardBytes);
          identity = `a:${JSON.stringify(m.patterns.map((x) => x.source).sort())}`;
        }
        if (!group || !identity) continue;
        const groups = byField.get(field) ?? new Map<string, number[][]>();
        groups.set(identity, group);
        byField.set(field, groups);
      }
    }
  }
  let worst = 0;
  for (const groups of byField.values()) worst = Math.max(worst, wildcardComplexity([...groups.values()]));
  return worst;
}
