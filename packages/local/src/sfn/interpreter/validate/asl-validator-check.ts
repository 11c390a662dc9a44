import { createRequire } from "node:module";
import { expressionSource, isExpressionString } from "../expressions/template.ts";
import { isRecord } from "../definition/field-reader.ts";
import { STATE_TYPES } from "../definition/field-rules.ts";
import type { DefinitionProblem } from "../definition/types.ts";

interface AslValidatorError {
  readonly "Error code": string;
  readonly Message: string;
  readonly schemaError?: { readonly instancePath?: string; readonly schemaPath?: string };
}
type AslValidator = (definition: unknown) => { isValid: boolean; errors: AslValidatorError[] };

// asl-validator is CommonJS without types.
const aslValidator = createRequire(import.meta.url)("asl-validator") as AslValidator;

/** Fields whose values are JSONata templates (any JSON, `{% %}` anywhere). */
const TEMPLATE_FIELDS = new Set(["Output", "Arguments", "ItemSelector"]);

/**
 * asl-validator 4's JSONata schema is stricter than AWS in a few places that AWS's documentation
 * and recorded AWS executions contradict: an `Output`/`Arguments` that is a literal number, array,
 * string or null; empty strings inside templates; a boolean `Condition`; `{%…%}` without the
 * spaces inside. Values are rewritten to equivalent JSONata so asl-validator judges the structure
 * (which is what it is run for) and Freshet's own checks judge the values.
 */
function normalizeTemplate(value: unknown, topLevel: boolean): unknown {
  if (isExpressionString(value)) return `{% ${expressionSource(value) || "null"} %}`;
  if (value === "") return "{% '' %}";
  if (Array.isArray(value)) return topLevel ? "{% [] %}" : value.map((v) => normalizeTemplate(v, false));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeTemplate(v, false)]));
  return topLevel ? "{% null %}" : value;
}

function normalizeState(state: unknown): unknown {
  if (!isRecord(state)) return state;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (TEMPLATE_FIELDS.has(key)) out[key] = normalizeTemplate(value, true);
    else if (key === "Assign" && isRecord(value)) out[key] = normalizeTemplate(value, false);
    else if ((key === "Choices" || key === "Catch") && Array.isArray(value)) out[key] = value.map(normalizeRule);
    else if ((key === "ItemProcessor" || key === "Iterator") && isRecord(value)) out[key] = normalizeMachine(value);
    else if (key === "Branches" && Array.isArray(value)) out[key] = value.map((b) => (isRecord(b) ? normalizeMachine(b) : b));
    else if (isExpressionString(value)) out[key] = `{% ${expressionSource(value) || "null"} %}`;
    else out[key] = value;
  }
  return out;
}

function normalizeRule(rule: unknown): unknown {
  if (!isRecord(rule)) return rule;
  const out: Record<string, unknown> = { ...rule };
  if (typeof rule.Condition === "boolean") out.Condition = `{% ${rule.Condition} %}`;
  else if (isExpressionString(rule.Condition)) out.Condition = `{% ${expressionSource(rule.Condition) || "null"} %}`;
  if ("Output" in rule) out.Output = normalizeTemplate(rule.Output, true);
  if (isRecord(rule.Assign)) out.Assign = normalizeTemplate(rule.Assign, false);
  return out;
}

function normalizeMachine(machine: Record<string, unknown>): Record<string, unknown> {
  const states = machine.States;
  if (!isRecord(states)) return { ...machine };
  return { ...machine, States: Object.fromEntries(Object.entries(states).map(([name, s]) => [name, normalizeState(s)])) };
}

/** `/States/A/ItemProcessor/States/B/Output` → state B, field Output. */
function locate(path: string): { state?: string; field?: string } {
  const parts = path.split("/").slice(1);
  const i = parts.lastIndexOf("States");
  if (i < 0 || i + 1 >= parts.length) return {};
  const field = parts.slice(i + 2).join("/");
  return { state: parts[i + 1], ...(field ? { field } : {}) };
}

const cache = new Map<string, DefinitionProblem[]>();
const CACHE_SIZE = 64;

/** asl-validator's verdict as problems (it builds a fresh JSON-schema validator per call, ~100 ms: cached by definition text). */
export function aslValidatorProblems(definition: Record<string, unknown>): DefinitionProblem[] {
  // As JSON first: an in-memory definition may hold `undefined` members JSON (and AWS) never sees.
  const normalized = normalizeMachine(JSON.parse(JSON.stringify(definition)) as Record<string, unknown>);
  const key = JSON.stringify(normalized);
  const cached = cache.get(key);
  if (cached) return cached;
  let problems: DefinitionProblem[];
  try {
    const result = aslValidator(normalized);
    problems = result.isValid ? [] : toProblems(result.errors, definition);
  } catch (error) {
    problems = [{ message: `asl-validator could not check the definition: ${(error as Error).message}` }];
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, problems);
  return problems;
}

function toProblems(errors: readonly AslValidatorError[], definition: Record<string, unknown>): DefinitionProblem[] {
  const seen = new Set<string>();
  const problems: DefinitionProblem[] = [];
  for (const error of errors) {
    const path = error.schemaError?.instancePath ?? "";
    // A oneOf over the state kinds also reports "Type must be one of …" for a valid Type: noise.
    if (error.schemaError?.schemaPath?.endsWith("/Type/enum") && STATE_TYPES.includes(fieldAt(definition, path, "Type") as never)) continue;
    // asl-validator writes the inherited QueryLanguage into each state, then a oneOf reports it: noise unless the value is bad.
    if (path.endsWith("/QueryLanguage") && [undefined, "JSONata", "JSONPath"].includes(fieldAt(definition, path, "QueryLanguage") as never)) continue;
    const message = `asl-validator: ${error["Error code"]}: ${error.Message}`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ ...locate(path), message });
  }
  return problems;
}

function fieldAt(definition: Record<string, unknown>, path: string, field: string): unknown {
  let node: unknown = definition;
  for (const part of path.split("/").slice(1, -1)) node = isRecord(node) ? node[part] : Array.isArray(node) ? node[Number(part)] : undefined;
  return isRecord(node) ? node[field] : undefined;
}
