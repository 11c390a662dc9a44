import { compileEventPattern, type CompiledEventPattern } from "./compile-pattern.ts";
import { consistent, flattenEvent, parseEventJson, type EventField, type EventFields } from "./event-fields.ts";
import { leafMatches, type Matcher } from "./matchers.ts";

type Elements = readonly (readonly [number, number])[];

/**
 * Whether `event` matches `pattern`, with EventBridge's semantics: every field of the pattern must
 * match (AND), any of a field's values may (OR), an event array matches when any element does, and
 * fields taken from an array of objects must come from the same element. Fields are visited in
 * sorted order, as EventBridge's engine visits them; `exists: false` holds when no value is found
 * at that path in the elements chosen so far.
 *
 * `pattern` is a compiled pattern, its JSON text, or a pattern object; `event` is the parsed event
 * or its JSON text (then numbers keep their literal text, `300.0` stays `300.0`).
 * Throws `InvalidEventPatternError` for an invalid pattern.
 */
export function matchesPattern(pattern: CompiledEventPattern | string | object, event: unknown): boolean {
  const compiled = isCompiled(pattern)
    ? pattern
    : compileEventPattern(typeof pattern === "string" ? pattern : JSON.stringify(pattern));
  const fields = flattenEvent(typeof event === "string" ? parseEventJson(event) : event);
  return compiled.branches.some((branch) => branchMatches(branch, fields));
}

/** A matcher for repeated use: compiles once. */
export function eventMatcher(pattern: string): (event: unknown) => boolean {
  const compiled = compileEventPattern(pattern);
  return (event) => matchesPattern(compiled, event);
}

function isCompiled(pattern: unknown): pattern is CompiledEventPattern {
  return typeof pattern === "object" && pattern !== null && "branches" in pattern && "source" in pattern;
}

function branchMatches(branch: ReadonlyMap<string, readonly Matcher[]>, fields: EventFields): boolean {
  const paths = [...branch.keys()].sort();
  const search = (i: number, chosen: Elements): boolean => {
    if (i === paths.length) return true;
    const path = paths[i]!;
    const matchers = branch.get(path)!;
    const candidates: readonly EventField[] = fields.get(path) ?? [];
    for (const field of candidates) {
      if (!consistent(field.elements, chosen)) continue;
      if (!matchers.some((m) => leafMatches(m, field.leaf))) continue;
      if (search(i + 1, merge(chosen, field.elements))) return true;
    }
    const allowsAbsence = matchers.some((m) => m.kind === "exists" && !m.exists);
    if (allowsAbsence && !candidates.some((field) => consistent(field.elements, chosen))) return search(i + 1, chosen);
    return false;
  };
  return search(0, []);
}

function merge(a: Elements, b: Elements): Elements {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = [...a];
  for (const pair of b) if (!out.some(([id]) => id === pair[0])) out.push(pair);
  return out;
}
