import { compileState } from "./compile-state.ts";
import { checkNumber, isRecord, type FieldReader } from "./field-reader.ts";
import { BRANCH_FIELDS, MACHINE_FIELDS, MAX_ASL_INTEGER, PROCESSOR_FIELDS } from "./field-rules.ts";
import type { Branch, DefinitionProblem, Machine, State } from "./types.ts";

/** AWS limits state names to 80 characters. */
const MAX_STATE_NAME_LENGTH = 80;

/** Every transition out of a state, with the field that names it. */
function transitions(state: State): [field: string, target: string][] {
  const out: [string, string][] = [];
  if (state.next !== undefined) out.push(["Next", state.next]);
  if (state.type === "Choice") {
    state.choices.forEach((rule, i) => out.push([`Choices/${i}/Next`, rule.next]));
    if (state.default !== undefined) out.push(["Default", state.default]);
  }
  if (state.type === "Task" || state.type === "Parallel" || state.type === "Map") {
    state.catch.forEach((c, i) => out.push([`Catch/${i}/Next`, c.next]));
  }
  return out;
}

class MachineCompiler {
  readonly problems: DefinitionProblem[] = [];
  readonly #names = new Set<string>();
  readonly #language: unknown;

  constructor(language: unknown) {
    this.#language = language;
  }

  /** `where` describes the branch for messages ("the state machine", "state 'M' ItemProcessor"). */
  branch(raw: Record<string, unknown>, where: string): Branch | undefined {
    const { StartAt: startAt, States: states } = raw;
    if (typeof startAt !== "string" || startAt === "") this.problems.push({ field: "StartAt", message: `${where}: 'StartAt' must name a state` });
    if (!isRecord(states) || Object.keys(states).length === 0) {
      this.problems.push({ field: "States", message: `${where}: 'States' must be a non-empty object` });
      return undefined;
    }
    const compiled = new Map<string, State>();
    for (const [name, rawState] of Object.entries(states)) {
      if (this.#names.has(name)) this.problems.push({ state: name, message: `State '${name}': state names must be unique across the whole state machine` });
      this.#names.add(name);
      if (name.length > MAX_STATE_NAME_LENGTH) this.problems.push({ state: name, message: `State '${name}': the name is longer than ${MAX_STATE_NAME_LENGTH} characters` });
      const state = compileState(name, rawState, this.#language, this.problems, (b, location, reader, kind) => this.#nested(b, location, reader, kind));
      if (state) compiled.set(name, state);
    }
    if (typeof startAt === "string" && startAt !== "" && !(startAt in states)) {
      this.problems.push({ field: "StartAt", message: `${where}: 'StartAt' names '${startAt}', which is not a state of this ${where === "the state machine" ? "state machine" : "branch"}` });
    }
    this.#checkTransitions(compiled, states, typeof startAt === "string" ? startAt : "");
    return { startAt: typeof startAt === "string" ? startAt : "", states: compiled };
  }

  #nested(raw: unknown, location: string, reader: FieldReader, kind: "Branches" | "ItemProcessor"): Branch | undefined {
    if (!isRecord(raw)) {
      reader.problem(location, "must be an object with StartAt and States");
      return undefined;
    }
    const allowed = kind === "ItemProcessor" ? PROCESSOR_FIELDS : BRANCH_FIELDS;
    for (const key of Object.keys(raw)) if (!allowed.has(key)) reader.problem(`${location}/${key}`, "is not a field of a branch");
    return this.branch(raw, `State '${reader.stateName}', ${location}`);
  }

  /** Targets must exist in the same branch (no jumping in or out of a Parallel or Map) and every state must be reachable. */
  #checkTransitions(states: ReadonlyMap<string, State>, raw: Record<string, unknown>, startAt: string): void {
    for (const state of states.values()) {
      for (const [field, target] of transitions(state)) {
        if (target !== "" && !(target in raw)) {
          this.problems.push({ state: state.name, field, message: `State '${state.name}', field '${field}': names '${target}', which is not a state of the same branch` });
        }
      }
    }
    // Reachability needs every state's transitions: skip it when some state did not compile.
    if (!(startAt in raw) || states.size < Object.keys(raw).length) return;
    const seen = new Set<string>([startAt]);
    const queue = [startAt];
    while (queue.length > 0) {
      const state = states.get(queue.shift()!);
      if (!state) continue;
      for (const [, target] of transitions(state)) {
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    for (const name of Object.keys(raw)) {
      if (!seen.has(name)) this.problems.push({ state: name, message: `State '${name}': is not reachable from StartAt '${startAt}'` });
    }
  }
}

/** Checks and compiles a whole definition: the machine (when usable) and every problem found. */
export function compileDefinition(definition: unknown): { machine: Machine | undefined; problems: DefinitionProblem[] } {
  if (!isRecord(definition)) return { machine: undefined, problems: [{ message: "the definition must be a JSON object" }] };
  const language = definition.QueryLanguage;
  const compiler = new MachineCompiler(language);
  const problems = compiler.problems;
  if (language !== undefined && language !== "JSONata" && language !== "JSONPath") {
    problems.push({ field: "QueryLanguage", message: `'QueryLanguage' must be "JSONata", got ${JSON.stringify(language)}` });
  }
  for (const key of Object.keys(definition)) {
    if (!MACHINE_FIELDS.has(key)) problems.push({ field: key, message: `'${key}' is not a top-level field of a state machine` });
  }
  const timeout = definition.TimeoutSeconds;
  if (timeout !== undefined && !checkNumber(timeout, { min: 1, max: MAX_ASL_INTEGER, integer: true })) {
    problems.push({ field: "TimeoutSeconds", message: `'TimeoutSeconds' must be an integer from 1 to ${MAX_ASL_INTEGER}` });
  }
  if (definition.Version !== undefined && definition.Version !== "1.0") problems.push({ field: "Version", message: "'Version' must be \"1.0\"" });
  const branch = compiler.branch(definition, "the state machine");
  if (!branch || problems.length > 0) return { machine: undefined, problems };
  return { machine: { ...branch, timeoutSeconds: timeout as number | undefined }, problems };
}
