import type { EventLeaf } from "./matchers.ts";
import { comparableNumber } from "./numbers.ts";

/**
 * An event flattened as EventBridge sees it: every leaf value under its path (keys joined with
 * `.`, arrays transparent), remembering which element of which array it came from, so that two
 * fields of one pattern are only matched from the same element of an array of objects.
 */
export interface EventField {
  readonly leaf: EventLeaf;
  /** Pairs of (array id, element index) on the way from the root to this leaf. */
  readonly elements: readonly (readonly [number, number])[];
}

export type EventFields = ReadonlyMap<string, readonly EventField[]>;

/** A JSON number whose source text is kept (the event was given as text). */
class SourceNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** Parses an event's JSON keeping each number's text, as EventBridge compares literal numbers by text too. */
export function parseEventJson(text: string): unknown {
  const reviver: Reviver = (_key, value, context) =>
    typeof value === "number" && context?.source !== undefined ? new SourceNumber(context.source) : value;
  return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
}

export function flattenEvent(event: unknown): EventFields {
  const fields = new Map<string, EventField[]>();
  let arrays = 0;
  const add = (path: string, leaf: EventLeaf, elements: readonly (readonly [number, number])[]) => {
    const list = fields.get(path);
    if (list) list.push({ leaf, elements });
    else fields.set(path, [{ leaf, elements }]);
  };
  const visit = (value: unknown, path: string, elements: readonly (readonly [number, number])[]): void => {
    if (value === null) return add(path, { kind: "null" }, elements);
    if (value === true) return add(path, { kind: "true" }, elements);
    if (value === false) return add(path, { kind: "false" }, elements);
    if (typeof value === "string") return add(path, { kind: "string", value }, elements);
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return;
      const text = String(value);
      return add(path, { kind: "number", text, comparable: { value } }, elements);
    }
    if (value instanceof SourceNumber) {
      return add(path, { kind: "number", text: value.text, comparable: comparableNumber(value.text) }, elements);
    }
    if (Array.isArray(value)) {
      const id = arrays++;
      value.forEach((item, index) => visit(item, path, [...elements, [id, index]]));
      return;
    }
    if (typeof value === "object") {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        if (child === undefined) continue;
        visit(child, path === "" ? key : `${path}.${key}`, elements);
      }
    }
  };
  if (event !== null && typeof event === "object" && !Array.isArray(event)) visit(event, "", []);
  return fields;
}

/** True when no array is entered at two different elements by the two lists. */
export function consistent(
  a: readonly (readonly [number, number])[],
  b: readonly (readonly [number, number])[],
): boolean {
  for (const [id, index] of a) {
    for (const [otherId, otherIndex] of b) {
      if (id === otherId && index !== otherIndex) return false;
    }
  }
  return true;
}
