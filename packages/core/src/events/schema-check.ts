import type * as v from "valibot";

/**
 * "Would valibot accept this value, and return it unchanged?", answered without allocating.
 * `true` is a promise; `false` means "no, or not sure": the caller then asks valibot.
 */
export type Acceptor = (value: unknown) => boolean;

/** The parts of valibot's schema and action objects a check is derived from (valibot 1.x). */
interface Node {
  readonly kind: string;
  readonly type: string;
  readonly async?: boolean;
  readonly pipe?: readonly Node[];
  readonly entries?: Readonly<Record<string, Node>>;
  readonly wrapped?: Node;
  readonly default?: unknown;
  readonly fallback?: unknown;
  readonly options?: readonly unknown[];
  readonly requirement?: unknown;
  readonly check?: (input: unknown) => unknown;
}

/**
 * Derives from a valibot schema a predicate that is true exactly when `v.safeParse` succeeds (for
 * plain objects and primitives, what JSON.parse makes; other objects get `false`), for the
 * schema kinds the event contract uses: strict objects, optional/nullish, unions, picklists,
 * custom checks, and strings/numbers piped through validation actions. None of these transform
 * their input, so an accepted value is what valibot would have returned.
 *
 * Valibot stays the definition of the contract and the only author of error messages: this walks
 * valibot's own schema objects, mirroring each kind's `~run`. A kind it does not know (a
 * transformation, a default, an async schema, a new kind) makes the whole derivation return
 * `undefined`, and callers then ask valibot every time. It exists because valibot builds datasets,
 * copies and pipes per field even for a valid event, which cost more than parsing the JSON did.
 */
export function compileAcceptor(schema: v.GenericSchema): Acceptor | undefined {
  return compile(schema as unknown as Node);
}

function compile(node: Node): Acceptor | undefined {
  if (node.async) return undefined;
  if (node.pipe) return compilePipe(node.pipe);
  switch (node.type) {
    case "string":
      return (value) => typeof value === "string";
    case "number":
      return (value) => typeof value === "number" && !Number.isNaN(value);
    case "picklist": {
      const options = node.options ?? [];
      return (value) => options.includes(value);
    }
    case "custom": {
      const check = node.check;
      return check ? (value) => Boolean(check(value)) : undefined;
    }
    case "optional":
    case "nullish": {
      if (node.default !== undefined || !node.wrapped) return undefined;
      const wrapped = compile(node.wrapped);
      if (!wrapped) return undefined;
      return node.type === "optional" ? (value) => value === undefined || wrapped(value) : (value) => value == null || wrapped(value);
    }
    case "union":
      return compileUnion(node.options ?? []);
    case "strict_object":
      return node.entries ? compileStrictObject(node.entries) : undefined;
    default:
      return undefined;
  }
}

/** A pipe's first item is its schema; the rest run only on a typed value, so all must pass. */
function compilePipe(pipe: readonly Node[]): Acceptor | undefined {
  const [first, ...rest] = pipe;
  const base = first && first.kind === "schema" ? compile(first) : undefined;
  if (!base) return undefined;
  let accepts = base;
  for (const item of rest) {
    if (item.kind === "metadata") continue;
    const action = item.kind === "validation" ? compileValidation(item) : undefined;
    if (!action) return undefined;
    const before = accepts;
    accepts = (value) => before(value) && action(value);
  }
  return accepts;
}

function compileValidation(action: Node): Acceptor | undefined {
  const requirement = action.requirement;
  switch (action.type) {
    case "min_length":
      return typeof requirement === "number" ? (value) => (value as { length: number }).length >= requirement : undefined;
    case "max_length":
      return typeof requirement === "number" ? (value) => (value as { length: number }).length <= requirement : undefined;
    case "min_value":
      return typeof requirement === "number" ? (value) => (value as number) >= requirement : undefined;
    case "check":
      return typeof requirement === "function" ? (value) => Boolean(requirement(value)) : undefined;
    case "safe_integer":
      return (value) => Number.isSafeInteger(value);
    case "finite":
      return (value) => Number.isFinite(value);
    default:
      return undefined;
  }
}

function compileUnion(options: readonly unknown[]): Acceptor | undefined {
  const accepts: Acceptor[] = [];
  for (const option of options) {
    const accept = compile(option as Node);
    if (!accept) return undefined;
    accepts.push(accept);
  }
  return (value) => {
    for (const accept of accepts) if (accept(value)) return true;
    return false;
  };
}

/**
 * Mirrors `strictObject`'s `~run`: present entries must pass, absent ones be optional, no other
 * keys. Valibot asks `key in input` for each entry; for a plain object (what JSON.parse makes)
 * that is exactly the set of keys `for…in` lists, as long as no entry is named like a property of
 * Object.prototype (checked here). So one pass over the record's own keys does, and any other
 * kind of object is left to valibot.
 */
function compileStrictObject(entries: Readonly<Record<string, Node>>): Acceptor | undefined {
  const checks: Record<string, Acceptor> = Object.create(null);
  const required = new Set<string>();
  for (const key of Object.keys(entries)) {
    const entry = entries[key] as Node;
    const check = entry.fallback === undefined && !(key in Object.prototype) ? compile(entry) : undefined;
    if (!check) return undefined;
    checks[key] = check;
    if (entry.type !== "optional" && entry.type !== "nullish") required.add(key);
  }
  const requiredCount = required.size;
  return (value) => {
    if (!value || typeof value !== "object") return false;
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return false;
    const record = value as Record<string, unknown>;
    let requiredSeen = 0;
    for (const key in record) {
      const check = checks[key];
      if (check === undefined || !check(record[key])) return false;
      if (required.has(key)) requiredSeen += 1;
    }
    return requiredSeen === requiredCount;
  };
}
