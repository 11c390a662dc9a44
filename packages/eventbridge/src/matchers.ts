import { inRange, parseIp, type IpRange } from "./ip-address.ts";
import { compareNumbers, type ComparableNumber } from "./numbers.ts";
import { wildcardMatches, type WildcardPattern } from "./wildcard.ts";

/** A leaf of an event: what a pattern value is compared with. */
export type EventLeaf =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly text: string; readonly comparable: ComparableNumber | undefined }
  | { readonly kind: "true" | "false" | "null" };

export interface NumericBound {
  readonly value: number;
  /** True for `<`/`>` (the bound itself excluded). */
  readonly open: boolean;
}

/** One entry of a pattern field's array; the entries of one field are alternatives (OR). */
export type Matcher =
  | { readonly kind: "string"; readonly value: string; readonly ip?: Uint8Array }
  | { readonly kind: "number"; readonly text: string; readonly comparable: ComparableNumber | undefined }
  | { readonly kind: "literal"; readonly value: "true" | "false" | "null" }
  | { readonly kind: "prefix" | "suffix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: "equals-ignore-case"; readonly value: string }
  | { readonly kind: "wildcard"; readonly pattern: WildcardPattern }
  | { readonly kind: "anything-but"; readonly strings: ReadonlySet<string>; readonly numbers: readonly number[] }
  | {
      readonly kind: "anything-but-prefix" | "anything-but-suffix" | "anything-but-ignore-case";
      readonly values: readonly string[];
    }
  | { readonly kind: "anything-but-wildcard"; readonly patterns: readonly WildcardPattern[] }
  | { readonly kind: "numeric"; readonly lower?: NumericBound; readonly upper?: NumericBound }
  | { readonly kind: "cidr"; readonly range: IpRange }
  | { readonly kind: "exists"; readonly exists: boolean };

/**
 * Whether one event leaf satisfies one matcher. `exists: false` never matches a present value; the
 * caller handles absence. String operators (prefix, suffix, wildcard, …) only ever match strings,
 * and so every `anything-but` form matches any value that is not a string it names (numbers, null).
 */
export function leafMatches(m: Matcher, leaf: EventLeaf): boolean {
  switch (m.kind) {
    case "string":
      if (leaf.kind !== "string") return false;
      if (m.ip) {
        const address = parseIp(leaf.value);
        return address !== undefined && sameBytes(address, m.ip);
      }
      return leaf.value === m.value;
    case "number":
      return leaf.kind === "number" && (leaf.text === m.text || sameNumber(m.comparable, leaf.comparable));
    case "literal":
      return leaf.kind === m.value;
    case "prefix":
      return leaf.kind === "string" && affixMatches(leaf.value, m.value, m.ignoreCase, "start");
    case "suffix":
      return leaf.kind === "string" && affixMatches(leaf.value, m.value, m.ignoreCase, "end");
    case "equals-ignore-case":
      return leaf.kind === "string" && equalsIgnoreCase(leaf.value, m.value);
    case "wildcard":
      return leaf.kind === "string" && wildcardMatches(m.pattern, leaf.value);
    case "anything-but":
      if (leaf.kind === "string") return !m.strings.has(leaf.value);
      if (leaf.kind === "number") return !m.numbers.some((n) => sameNumber({ value: n }, leaf.comparable));
      return true;
    case "anything-but-prefix":
      return leaf.kind !== "string" || !m.values.some((v) => leaf.value.startsWith(v));
    case "anything-but-suffix":
      return leaf.kind !== "string" || !m.values.some((v) => leaf.value.endsWith(v));
    case "anything-but-ignore-case":
      return leaf.kind !== "string" || !m.values.some((v) => equalsIgnoreCase(leaf.value, v));
    case "anything-but-wildcard":
      return leaf.kind !== "string" || !m.patterns.some((p) => wildcardMatches(p, leaf.value));
    case "numeric":
      return leaf.kind === "number" && leaf.comparable !== undefined && inNumericRange(leaf.comparable.value, m);
    case "cidr": {
      if (leaf.kind !== "string") return false;
      const address = parseIp(leaf.value);
      return address !== undefined && inRange(address, m.range);
    }
    case "exists":
      return m.exists;
  }
}

function sameNumber(a: ComparableNumber | undefined, b: ComparableNumber | undefined): boolean {
  return a !== undefined && b !== undefined && compareNumbers(a.value, b.value) === 0;
}

function inNumericRange(value: number, m: { lower?: NumericBound; upper?: NumericBound }): boolean {
  if (m.lower) {
    const c = compareNumbers(value, m.lower.value);
    if (c < 0 || (c === 0 && m.lower.open)) return false;
  }
  if (m.upper) {
    const c = compareNumbers(value, m.upper.value);
    if (c > 0 || (c === 0 && m.upper.open)) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Case-insensitive comparison character by character (a character equals its lower- or upper-case form). */
function equalsIgnoreCase(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  return x.length === y.length && x.every((c, i) => sameIgnoringCase(c, y[i]!));
}

function affixMatches(value: string, affix: string, ignoreCase: boolean, end: "start" | "end"): boolean {
  if (!ignoreCase) return end === "start" ? value.startsWith(affix) : value.endsWith(affix);
  const v = [...value];
  const a = [...affix];
  if (a.length > v.length) return false;
  const offset = end === "start" ? 0 : v.length - a.length;
  return a.every((c, i) => sameIgnoringCase(v[offset + i]!, c));
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}
