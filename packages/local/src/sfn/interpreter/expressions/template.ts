import { FreshetError } from "@freshet/core";
import jsonata from "jsonata";
import { registerAwsFunctions } from "./aws-functions.ts";

/**
 * A field value of a JSONata state, compiled once per definition: literals stay as they are,
 * `"{% … %}"` strings become compiled expressions, objects and arrays mix both at any depth
 * (AWS: "JSONata expressions can appear in string values within objects and arrays at any
 * nesting depth"). A subtree without expressions collapses into one literal, so evaluating it
 * costs nothing.
 */
export type Template =
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "expression"; readonly source: string; readonly compiled: jsonata.Expression }
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, Template])[] }
  | { readonly kind: "array"; readonly items: readonly Template[] };

/** A `{% %}` that does not compile, found while compiling a definition. */
export interface TemplateProblem {
  readonly location: string;
  readonly message: string;
}

/** AWS: the string must start with `{%` and end with `%}`, with nothing around them. */
export function isExpressionString(value: unknown): value is string {
  return typeof value === "string" && value.length >= 4 && value.startsWith("{%") && value.endsWith("%}");
}

export function expressionSource(text: string): string {
  return text.slice(2, -2).trim();
}

export function compileExpression(text: string, location: string, problems: TemplateProblem[]): Template {
  const source = expressionSource(text);
  if (source === "") {
    problems.push({ location, message: `the JSONata expression in field '${location}' is empty` });
    return { kind: "literal", value: null };
  }
  try {
    const compiled = jsonata(source);
    const newer = newerOperator(compiled.ast());
    if (newer) {
      problems.push({
        location,
        message: `the JSONata expression '${source}' in field '${location}' uses the '${newer}' operator of JSONata 2.1, which Step Functions (JSONata 2.0.6) does not have`,
      });
    }
    registerAwsFunctions(compiled);
    return { kind: "expression", source, compiled };
  } catch (error) {
    const e = error as { code?: string; message?: string; position?: number };
    const where = e.position === undefined ? "" : ` at position ${e.position}`;
    problems.push({
      location,
      message: `the JSONata expression '${source}' in field '${location}' does not compile${where}: ${e.code ? `${e.code}: ` : ""}${e.message}`,
    });
    return { kind: "literal", value: null };
  }
}

/**
 * Step Functions implements JSONata 2.0.6 (AWS "Transforming data with JSONata"); the `jsonata`
 * library here is 2.2, whose parser also accepts 2.1's `??` and `?:`. Both parse into a
 * condition: `a ?: b` has a `then` identical to its condition, source positions included (a
 * written-out `a ? a : b` has different positions); `a ?? b` tests a synthesised `$exists(a)`
 * that, unlike one written out, has no source position.
 */
function sameTree(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

function newerOperator(root: unknown): "??" | "?:" | undefined {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    const n = node as { type?: string; condition?: unknown; then?: unknown };
    if (n.type === "condition") {
      if (n.then !== undefined && sameTree(n.then, n.condition)) return "?:";
      const test = n.condition as { type?: string; procedure?: { value?: unknown; position?: unknown } } | undefined;
      if (test?.type === "function" && test.procedure?.value === "exists" && test.procedure.position === undefined) return "??";
    }
    for (const value of Object.values(node)) if (value !== null && typeof value === "object") stack.push(value);
  }
  return undefined;
}

export function compileTemplate(value: unknown, location: string, problems: TemplateProblem[]): Template {
  if (isExpressionString(value)) return compileExpression(value, location, problems);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileTemplate(item, `${location}/${i}`, problems));
    return items.every((t) => t.kind === "literal") ? { kind: "literal", value } : { kind: "array", items };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, compileTemplate(v, `${location}/${k}`, problems)] as const);
    return entries.every(([, t]) => t.kind === "literal") ? { kind: "literal", value } : { kind: "object", entries };
  }
  return { kind: "literal", value };
}

/** Where an evaluation happens, for AWS's error wording ("… the state 'X' (entered at the event id #N)"). */
export interface EvaluationSite {
  readonly stateName: string;
  readonly enteredEventId: number;
}

/** A failed evaluation: the interpreter turns it into `States.QueryEvaluationError`. */
export class TemplateEvaluationError extends FreshetError {
  override readonly name = "TemplateEvaluationError";
  readonly location: string;
  constructor(message: string, location: string, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}

/** Thrown out of `toJson` at the first value JSON cannot hold; `evaluate` words the failure. */
class UnsupportedValue extends FreshetError {
  override readonly name = "UnsupportedValue";
  constructor() {
    super("a value JSON cannot hold (a function, a regular expression, a non-finite number)");
  }
}

function isJsonataFunction(value: object): boolean {
  const v = value as { _jsonata_lambda?: boolean; _jsonata_function?: boolean };
  return v._jsonata_lambda === true || v._jsonata_function === true;
}

/**
 * JSONata results as plain JSON: sequences become ordinary arrays, `undefined` members drop out as
 * JSON drops them, functions and non-finite numbers are refused. Unchanged subtrees are returned
 * as they are (no copy) because values are never mutated.
 */
function toJson(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new UnsupportedValue();
    return value;
  }
  if (typeof value === "function" || typeof value !== "object") throw new UnsupportedValue();
  if (Array.isArray(value)) {
    const plain = Object.getPrototypeOf(value) === Array.prototype && !("sequence" in value) && !("outerWrapper" in value);
    let copy: unknown[] | undefined = plain ? undefined : value.slice(0, 0);
    for (let i = 0; i < value.length; i += 1) {
      const item = value[i] === undefined ? null : toJson(value[i]);
      if (copy === undefined && item !== value[i]) copy = value.slice(0, i);
      copy?.push(item);
    }
    return copy ?? value;
  }
  if (isJsonataFunction(value) || value instanceof RegExp) throw new UnsupportedValue();
  const entries = Object.entries(value);
  // JSONata builds objects without a prototype; hand out ordinary ones.
  let copy: Record<string, unknown> | undefined = Object.getPrototypeOf(value) === Object.prototype ? undefined : {};
  for (let i = 0; i < entries.length; i += 1) {
    const [k, v] = entries[i]!;
    if (v === undefined) {
      copy ??= Object.fromEntries(entries.slice(0, i));
      continue;
    }
    const item = toJson(v);
    if (copy === undefined && item !== v) copy = Object.fromEntries(entries.slice(0, i));
    if (copy !== undefined) copy[k] = item;
  }
  return copy ?? value;
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e && typeof e === "object" && typeof e.message === "string") return e.code ? `${e.code}: ${e.message}` : e.message;
  return String(error);
}

async function evaluateExpression(
  t: { source: string; compiled: jsonata.Expression },
  bindings: Record<string, unknown>,
  location: string,
): Promise<unknown> {
  let raw: unknown;
  try {
    raw = await t.compiled.evaluate(undefined, bindings);
  } catch (error) {
    throw new TemplateEvaluationError(
      `The JSONata expression '${t.source}' specified for the field '${location}' threw an error during evaluation. ${describe(error)}`,
      location,
      { cause: error },
    );
  }
  if (raw === undefined) {
    throw new TemplateEvaluationError(`The JSONata expression '${t.source}' specified for the field '${location}' returned nothing (undefined).`, location);
  }
  try {
    return toJson(raw);
  } catch (error) {
    if (!(error instanceof UnsupportedValue)) throw error;
    throw new TemplateEvaluationError(`The JSONata expression '${t.source}' specified for the field '${location}' returned an unsupported result type.`, location);
  }
}

/** Evaluates a compiled field. `location` names it as AWS does: `Output`, `Arguments/FunctionName`, … */
export async function evaluateTemplate(t: Template, bindings: Record<string, unknown>, location: string): Promise<unknown> {
  switch (t.kind) {
    case "literal":
      return t.value;
    case "expression":
      return evaluateExpression(t, bindings, location);
    case "array": {
      const out: unknown[] = [];
      for (let i = 0; i < t.items.length; i += 1) out.push(await evaluateTemplate(t.items[i]!, bindings, `${location}/${i}`));
      return out;
    }
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of t.entries) out[k] = await evaluateTemplate(v, bindings, `${location}/${k}`);
      return out;
    }
  }
}

export type JsonType = "array" | "object" | "string" | "number" | "boolean" | "null";

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as JsonType;
}

/** AWS's wording when an expression yields the wrong type for its field. */
export function unexpectedType(t: Template, location: string, expected: string, value: unknown): TemplateEvaluationError {
  const what = t.kind === "expression" ? `The JSONata expression '${t.source}' specified for the field '${location}'` : `The field '${location}'`;
  return new TemplateEvaluationError(
    `${what} returned an unexpected result type. Expected '${expected}', but was '${jsonTypeOf(value)}' for value: ${JSON.stringify(value)}`,
    location,
  );
}
