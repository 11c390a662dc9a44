import { WildcardSyntaxError } from "./errors.ts";

/**
 * `wildcard` values: `*` matches any run of characters (including none), `\*` a literal asterisk,
 * `\\` a literal backslash; two consecutive `*` and any other escape are refused. Positions in
 * AWS's messages count UTF-8 bytes of the value with its surrounding quotes.
 */

/** A parsed wildcard: literal segments between the stars; `*` before the first segment if `leadingStar`. */
export interface WildcardPattern {
  readonly source: string;
  /** Literal text and `STAR` markers, in order; never two stars in a row. */
  readonly parts: readonly (string | typeof STAR)[];
}

export const STAR: unique symbol = Symbol("wildcard-star");

const encoder = new TextEncoder();

export function parseWildcard(source: string): WildcardPattern {
  const parts: (string | typeof STAR)[] = [];
  let literal = "";
  // Byte offset in `"source"`, for AWS's "at pos N" (the opening quote is byte 0).
  let pos = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const width = encoder.encode(c.codePointAt(0)! > 0xffff ? source.slice(i, i + 2) : c).length;
    if (c === "*") {
      if (source[i + 1] === "*") throw new WildcardSyntaxError(`Consecutive wildcard characters at pos ${pos}`);
      if (literal) parts.push(literal);
      literal = "";
      parts.push(STAR);
    } else if (c === "\\") {
      const next = source[i + 1];
      if (next !== "*" && next !== "\\") throw new WildcardSyntaxError(`Invalid escape character at pos ${pos}`);
      literal += next;
      i++;
      pos += 2;
      continue;
    } else {
      literal += c;
      if (c.codePointAt(0)! > 0xffff) {
        literal += source[i + 1];
        i++;
      }
    }
    pos += width;
  }
  if (literal) parts.push(literal);
  return { source, parts };
}

/** Glob match: leading and trailing literals anchor the ends, the ones between stars are found leftmost. */
export function wildcardMatches(pattern: WildcardPattern, value: string): boolean {
  const parts = pattern.parts;
  if (!parts.includes(STAR)) return value === (parts[0] ?? "");
  let from = 0;
  let to = value.length;
  let first = 0;
  let last = parts.length - 1;
  const head = parts[first]!;
  if (head !== STAR) {
    if (!value.startsWith(head)) return false;
    from = head.length;
    first++;
  }
  const tail = parts[last]!;
  if (tail !== STAR) {
    if (value.length - tail.length < from || !value.endsWith(tail)) return false;
    to = value.length - tail.length;
    last--;
  }
  for (let k = first; k <= last; k++) {
    const part = parts[k]!;
    if (part === STAR) continue;
    const at = value.indexOf(part, from);
    if (at < 0 || at + part.length > to) return false;
    from = at + part.length;
  }
  return true;
}

/**
 * The pattern as the byte sequence EventBridge's matcher walks: UTF-8 bytes of `"value"` with the
 * stars as `-1`. Used to measure how complex a rule's wildcards are.
 */
export function wildcardBytes(pattern: WildcardPattern): number[] {
  const out: number[] = [0x22];
  for (const part of pattern.parts) {
    if (part === STAR) out.push(-1);
    else out.push(...encoder.encode(part));
  }
  out.push(0x22);
  return out;
}
