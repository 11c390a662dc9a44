import { detectSchemaVersion } from "../events/reconcile.ts";
import type { DeadLetter } from "../lake/dead-letter.ts";

/** A named, versioned repair: pure, described, tested. Bump `version` whenever `repair` changes what it produces. */
export interface RepairRule {
  readonly id: string;
  readonly version: number;
  readonly description: string;
  /**
   * The repaired raw event (the producer's JSON object, fixed), or undefined if the rule does not
   * apply. Never mutates `raw`, never invents a value: it only re-expresses what the producer sent.
   */
  repair(raw: Readonly<Record<string, unknown>>, letter: DeadLetter): Record<string, unknown> | undefined;
}

/**
 * `target` with `key` set as an own data property: plain assignment of a key such as `__proto__`
 * (which JSON.parse makes an ordinary own key) would change the prototype instead.
 */
export function withField(target: Readonly<Record<string, unknown>>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** `target` without `keys`. */
export function withoutFields(target: Readonly<Record<string, unknown>>, keys: ReadonlySet<string>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(target)) {
    if (!keys.has(key)) Object.defineProperty(copy, key, { value: target[key], enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** The name an event uses for a field: v1's camelCase spelling in a v1 event, v2's otherwise. */
export function fieldName(raw: Readonly<Record<string, unknown>>, v2: string, v1: string): string {
  return detectSchemaVersion(raw) === 1 ? v1 : v2;
}
