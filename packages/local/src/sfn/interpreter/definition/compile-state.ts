import { isExpressionString, type Template } from "../expressions/template.ts";
import { compileCatch, compileRetry } from "./compile-error-handling.ts";
import { FieldReader, isRecord } from "./field-reader.ts";
import { ALLOWED_FIELDS, CHOICE_RULE_FIELDS, JSONPATH_FIELDS, MAX_ASL_INTEGER, STATE_TYPES, UNSUPPORTED_FIELDS } from "./field-rules.ts";
import { parseAslTimestamp } from "./timestamp.ts";
import type { Branch, ChoiceRule, DefinitionProblem, State, StateType } from "./types.ts";

/** Compiles a nested state list: a Parallel branch or a Map's ItemProcessor. */
export type BranchCompiler = (raw: unknown, location: string, reader: FieldReader, kind: "Branches" | "ItemProcessor") => Branch | undefined;

/** A state's type-specific fields (Omit distributed over the union). */
type StateBody = State extends infer S ? (S extends State ? Omit<S, "name" | "next" | "output" | "assign"> : never) : never;

const FLOWING: ReadonlySet<StateType> = new Set(["Task", "Pass", "Wait", "Parallel", "Map"]);

function checkFields(reader: FieldReader, type: StateType): void {
  for (const key of Object.keys(reader.raw)) {
    if (ALLOWED_FIELDS[type].has(key)) continue;
    const jsonPath = JSONPATH_FIELDS[key];
    if (jsonPath) reader.problem(key, `is a JSONPath field, not available in a JSONata state: ${jsonPath}`);
    else if (UNSUPPORTED_FIELDS[key]) reader.problem(key, UNSUPPORTED_FIELDS[key]);
    else reader.problem(key, `is not a field of a ${type} state`);
  }
}

function flow(reader: FieldReader, type: StateType): string | undefined {
  if (!FLOWING.has(type)) return undefined;
  const { Next: next, End: end } = reader.raw;
  if (end !== undefined && end !== true) reader.problem("End", "must be true when present");
  if (next !== undefined && end !== undefined) reader.problem("Next", "a state has either 'Next' or 'End', not both");
  if (next === undefined && end === undefined) reader.problem(undefined, "must have 'Next' or 'End': true");
  return next === undefined ? undefined : reader.target(next, "Next");
}

function compileChoices(reader: FieldReader): ChoiceRule[] {
  const value = reader.raw.Choices;
  if (!Array.isArray(value) || value.length === 0) {
    reader.problem("Choices", "must be a non-empty array of choice rules");
    return [];
  }
  const rules: ChoiceRule[] = [];
  value.forEach((raw, i) => {
    const location = `Choices/${i}`;
    if (!isRecord(raw)) {
      reader.problem(location, "must be an object");
      return;
    }
    for (const key of Object.keys(raw)) {
      if (!CHOICE_RULE_FIELDS.has(key)) {
        reader.problem(`${location}/${key}`, "is not a field of a JSONata choice rule (JSONPath rules with Variable/And/Or/Not and comparison operators are not available: use 'Condition')");
      }
    }
    let condition: Template | undefined;
    if (typeof raw.Condition === "boolean") condition = { kind: "literal", value: raw.Condition };
    else if (isExpressionString(raw.Condition)) condition = reader.template(raw.Condition, `${location}/Condition`);
    else reader.problem(`${location}/Condition`, "must be a JSONata expression ({% … %}) or a boolean");
    const next = reader.target(raw.Next, `${location}/Next`);
    rules.push({
      condition: condition ?? { kind: "literal", value: false },
      next: next ?? "",
      output: reader.template(raw.Output, `${location}/Output`),
      assign: reader.assign(raw.Assign, `${location}/Assign`),
    });
  });
  return rules;
}

function compileWaitFields(reader: FieldReader): { seconds: Template | undefined; timestamp: Template | undefined } {
  const { Seconds: seconds, Timestamp: timestamp } = reader.raw;
  if ((seconds === undefined) === (timestamp === undefined)) reader.problem(undefined, "a Wait state needs exactly one of 'Seconds' and 'Timestamp'");
  let ts: Template | undefined;
  if (timestamp !== undefined) {
    if (isExpressionString(timestamp)) ts = reader.template(timestamp, "Timestamp");
    else if (typeof timestamp === "string" && parseAslTimestamp(timestamp) !== undefined) ts = { kind: "literal", value: timestamp };
    else reader.problem("Timestamp", `must be an ISO-8601 extended offset date-time (e.g. 2016-03-14T01:59:00Z) or a JSONata expression, got ${JSON.stringify(timestamp)}`);
  }
  return { seconds: reader.numberOrExpression(seconds, "Seconds", { min: 0, max: MAX_ASL_INTEGER, integer: true }), timestamp: ts };
}

function compileItems(reader: FieldReader): Template | undefined {
  const items = reader.raw.Items;
  if (items === undefined) return undefined;
  if (!Array.isArray(items) && !isExpressionString(items)) {
    reader.problem("Items", "must be an array or a JSONata expression");
    return undefined;
  }
  return reader.template(items, "Items");
}

function checkProcessorConfig(reader: FieldReader): void {
  const processor = reader.raw.ItemProcessor;
  if (!isRecord(processor) || processor.ProcessorConfig === undefined) return;
  const config = processor.ProcessorConfig;
  if (!isRecord(config)) {
    reader.problem("ItemProcessor/ProcessorConfig", "must be an object");
    return;
  }
  if (config.Mode === "DISTRIBUTED") reader.problem("ItemProcessor/ProcessorConfig/Mode", "Distributed Map is not supported by the local runtime: use Mode INLINE");
  else if (config.Mode !== undefined && config.Mode !== "INLINE") reader.problem("ItemProcessor/ProcessorConfig/Mode", `must be "INLINE", got ${JSON.stringify(config.Mode)}`);
  for (const key of Object.keys(config)) {
    if (key !== "Mode") reader.problem(`ItemProcessor/ProcessorConfig/${key}`, "is a Distributed Map setting, not supported by the local runtime");
  }
}

function compileBody(reader: FieldReader, type: StateType, compileBranch: BranchCompiler): StateBody | undefined {
  const raw = reader.raw;
  switch (type) {
    case "Pass":
    case "Succeed":
      return { type };
    case "Task": {
      if (typeof raw.Resource !== "string" || raw.Resource === "") reader.problem("Resource", "must be a non-empty string (JSONata is not allowed in Resource)");
      const seconds = { min: 1, max: MAX_ASL_INTEGER, integer: true };
      const timeoutSeconds = reader.numberOrExpression(raw.TimeoutSeconds, "TimeoutSeconds", seconds);
      const heartbeatSeconds = reader.numberOrExpression(raw.HeartbeatSeconds, "HeartbeatSeconds", seconds);
      if (typeof raw.TimeoutSeconds === "number" && typeof raw.HeartbeatSeconds === "number" && raw.HeartbeatSeconds >= raw.TimeoutSeconds) {
        reader.problem("HeartbeatSeconds", "must be smaller than TimeoutSeconds");
      }
      return {
        type,
        resource: typeof raw.Resource === "string" ? raw.Resource : "",
        arguments: reader.template(raw.Arguments, "Arguments"),
        timeoutSeconds,
        heartbeatSeconds,
        retry: compileRetry(reader),
        catch: compileCatch(reader),
      };
    }
    case "Choice":
      return { type, choices: compileChoices(reader), default: raw.Default === undefined ? undefined : reader.target(raw.Default, "Default") };
    case "Wait":
      return { type, ...compileWaitFields(reader) };
    case "Fail":
      return { type, error: reader.stringOrExpression(raw.Error, "Error"), cause: reader.stringOrExpression(raw.Cause, "Cause") };
    case "Parallel": {
      const branches = Array.isArray(raw.Branches) && raw.Branches.length > 0 ? raw.Branches : undefined;
      if (!branches) reader.problem("Branches", "must be a non-empty array of branches");
      const compiled = (branches ?? []).map((b, i) => compileBranch(b, `Branches/${i}`, reader, "Branches"));
      return {
        type,
        branches: compiled.filter((b): b is Branch => b !== undefined),
        arguments: reader.template(raw.Arguments, "Arguments"),
        retry: compileRetry(reader),
        catch: compileCatch(reader),
      };
    }
    case "Map": {
      checkProcessorConfig(reader);
      if (raw.ItemProcessor === undefined) reader.problem("ItemProcessor", "is required");
      const processor = raw.ItemProcessor === undefined ? undefined : compileBranch(raw.ItemProcessor, "ItemProcessor", reader, "ItemProcessor");
      const selector = raw.ItemSelector;
      if (selector !== undefined && !isRecord(selector) && !isExpressionString(selector)) reader.problem("ItemSelector", "must be an object or a JSONata expression");
      return {
        type,
        items: compileItems(reader),
        itemSelector: reader.template(selector, "ItemSelector"),
        processor: processor ?? { startAt: "", states: new Map() },
        maxConcurrency: reader.numberOrExpression(raw.MaxConcurrency, "MaxConcurrency", { min: 0, max: MAX_ASL_INTEGER, integer: true }),
        toleratedFailureCount: reader.numberOrExpression(raw.ToleratedFailureCount, "ToleratedFailureCount", { min: 0, max: MAX_ASL_INTEGER, integer: true }),
        toleratedFailurePercentage: reader.numberOrExpression(raw.ToleratedFailurePercentage, "ToleratedFailurePercentage", { min: 0, max: 100, integer: false }),
        retry: compileRetry(reader),
        catch: compileCatch(reader),
      };
    }
  }
}

/**
 * Checks and compiles one state. JSONPath states are refused: Freshet's local runtime runs
 * JSONata only (its workflows are written in JSONata; a second query language would be a second
 * interpreter), so a JSONPath definition fails at creation with a message saying so.
 */
export function compileState(
  name: string,
  raw: unknown,
  inheritedLanguage: unknown,
  problems: DefinitionProblem[],
  compileBranch: BranchCompiler,
): State | undefined {
  if (!isRecord(raw)) {
    problems.push({ state: name, message: `State '${name}': must be an object` });
    return undefined;
  }
  const reader = new FieldReader(raw, name, problems);
  const type = raw.Type as StateType;
  if (!STATE_TYPES.includes(type)) {
    reader.problem("Type", `unknown state type ${JSON.stringify(raw.Type)} (one of ${STATE_TYPES.join(", ")})`);
    return undefined;
  }
  const language = raw.QueryLanguage ?? inheritedLanguage ?? "JSONPath";
  if (language !== "JSONata") {
    const field = raw.QueryLanguage === undefined ? undefined : "QueryLanguage";
    reader.problem(
      field,
      language === "JSONPath"
        ? "QueryLanguage JSONPath is not supported by Freshet's local runtime: write the state in JSONata (\"QueryLanguage\": \"JSONata\" at the top level or on the state)"
        : `QueryLanguage must be "JSONata", got ${JSON.stringify(language)}`,
    );
    return undefined;
  }
  checkFields(reader, type);
  const next = flow(reader, type);
  const body = compileBody(reader, type, compileBranch);
  if (!body) return undefined;
  return {
    ...body,
    name,
    next,
    output: type === "Fail" ? undefined : reader.template(raw.Output, "Output"),
    assign: ALLOWED_FIELDS[type].has("Assign") ? reader.assign(raw.Assign, "Assign") : undefined,
  } as State;
}
