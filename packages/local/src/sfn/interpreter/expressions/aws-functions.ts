import { createHash, randomUUID } from "node:crypto";
import type jsonata from "jsonata";
import { seededRandom } from "./java-random.ts";

/**
 * The JSONata functions Step Functions adds (AWS developer guide, "Transforming data with
 * JSONata in Step Functions" → "JSONata functions provided by Step Functions"): `$partition`,
 * `$range`, `$hash`, `$random` (with an optional seed), `$uuid`, `$parse`. `$eval` is not
 * available there ("use $parse instead"), so calling it fails as calling any non-function does.
 * `$now()`/`$millis()` read the interpreter's clock so virtual time is seen consistently.
 */

/** What an expression sees as "now", fixed for one evaluation as JSONata specifies. */
export const NOW_BINDING = "__freshetNow";

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

/** AWS caps generated arrays (States.ArrayRange: 1,000 items). */
const MAX_RANGE_ITEMS = 1000;

/** A JSONata sequence: singletons unwrap and empties vanish, as AWS's `$range(1, 9, 9)` → `1` shows. */
function sequence(items: unknown[]): unknown[] {
  Object.defineProperty(items, "sequence", { value: true, enumerable: false });
  return items;
}

function partition(array: unknown[], size: number): unknown[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`$partition: chunk size must be a positive integer, got ${size}`);
  const chunks: unknown[][] = [];
  for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
  return chunks;
}

function range(start: number, end: number, step: number): unknown[] {
  for (const [name, value] of [["start", start], ["end", end], ["step", step]] as const) {
    if (!Number.isInteger(value)) throw new Error(`$range: ${name} must be an integer, got ${value}`);
  }
  if (step === 0) throw new Error("$range: step must not be 0");
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_RANGE_ITEMS) throw new Error(`$range: at most ${MAX_RANGE_ITEMS} items can be generated, this range has ${count}`);
  const items: number[] = [];
  for (let i = 0; i < count; i += 1) items.push(start + i * step);
  return sequence(items);
}

function hash(value: string, algorithm: string): string {
  const node = HASH_ALGORITHMS[algorithm];
  if (!node) throw new Error(`$hash: unsupported algorithm '${algorithm}' (use one of ${Object.keys(HASH_ALGORITHMS).join(", ")})`);
  return createHash(node).update(value, "utf8").digest("hex");
}

function random(seed?: number): number {
  if (seed === undefined) return Math.random();
  if (!Number.isInteger(seed)) throw new Error(`$random: seed must be an integer, got ${seed}`);
  return seededRandom(seed);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`$parse: the string is not valid JSON: ${(error as Error).message}`);
  }
}

function nowMillis(this: jsonata.Focus): number {
  const now = this.environment.lookup(NOW_BINDING) as number | undefined;
  return now ?? Date.now();
}

function now(this: jsonata.Focus, picture?: string, timezone?: string): Promise<string> | string {
  const millis = nowMillis.call(this);
  if (picture === undefined && timezone === undefined) return new Date(millis).toISOString();
  const fromMillis = this.environment.lookup("fromMillis") as { implementation: (...args: unknown[]) => string };
  return fromMillis.implementation.call(this, millis, picture, timezone);
}

/** Adds the Step Functions functions to one compiled expression. */
export function registerAwsFunctions(expression: jsonata.Expression): void {
  expression.registerFunction("partition", partition, "<an:a>");
  expression.registerFunction("range", range, "<nnn:a>");
  expression.registerFunction("hash", hash, "<ss:s>");
  expression.registerFunction("random", random, "<n?:n>");
  expression.registerFunction("uuid", () => randomUUID(), "<:s>");
  expression.registerFunction("parse", parse, "<s:x>");
  expression.registerFunction("now", now, "<s?s?:s>");
  expression.registerFunction("millis", nowMillis, "<:n>");
  // Not a function: `$eval(...)` fails with JSONata's own T1006 "Attempted to invoke a non-function".
  expression.assign("eval", false);
}
