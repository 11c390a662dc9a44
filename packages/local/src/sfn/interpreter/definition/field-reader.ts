import { compileTemplate, isExpressionString, type Template, type TemplateProblem } from "../expressions/template.ts";
import { MAX_VARIABLE_NAME_LENGTH, VARIABLE_NAME } from "./field-rules.ts";
import type { DefinitionProblem } from "./types.ts";

export interface NumberRule {
  readonly min: number;
  readonly max?: number;
  readonly integer: boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Reads and checks one state's fields, compiling its JSONata; every problem names the state and field. */
export class FieldReader {
  readonly raw: Record<string, unknown>;
  readonly stateName: string;
  readonly #problems: DefinitionProblem[];

  constructor(raw: Record<string, unknown>, stateName: string, problems: DefinitionProblem[]) {
    this.raw = raw;
    this.stateName = stateName;
    this.#problems = problems;
  }

  problem(field: string | undefined, message: string): void {
    const where = field === undefined ? `State '${this.stateName}'` : `State '${this.stateName}', field '${field}'`;
    this.#problems.push({ state: this.stateName, ...(field === undefined ? {} : { field }), message: `${where}: ${message}` });
  }

  /** Any JSON value with `{% %}` anywhere in it (Arguments, Output, ItemSelector, Items…). */
  template(value: unknown, location: string): Template | undefined {
    if (value === undefined) return undefined;
    const problems: TemplateProblem[] = [];
    const template = compileTemplate(value, location, problems);
    for (const p of problems) this.problem(p.location, p.message);
    return template;
  }

  /** A number field that may also be a JSONata expression (TimeoutSeconds, Seconds, MaxConcurrency…). */
  numberOrExpression(value: unknown, location: string, rule: NumberRule): Template | undefined {
    if (value === undefined) return undefined;
    if (isExpressionString(value)) return this.template(value, location);
    if (!checkNumber(value, rule)) {
      this.problem(location, `must be ${describeRule(rule)} or a JSONata expression, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return { kind: "literal", value };
  }

  /** A string field that may also be a JSONata expression (Fail's Error and Cause). */
  stringOrExpression(value: unknown, location: string): Template | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      this.problem(location, `must be a string or a JSONata expression, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return this.template(value, location);
  }

  /** `Assign`: an object whose keys are variable names; values are templates. */
  assign(value: unknown, location: string): Template | undefined {
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      this.problem(location, "must be an object of variable names to values");
      return undefined;
    }
    for (const name of Object.keys(value)) {
      if (name === "states") this.problem(`${location}/${name}`, "'states' is reserved ($states); choose another variable name");
      else if (!VARIABLE_NAME.test(name) || name.length > MAX_VARIABLE_NAME_LENGTH) {
        this.problem(
          `${location}/${name}`,
          `'${name}' is not a valid variable name (a letter or '_' then letters, digits or '_', at most ${MAX_VARIABLE_NAME_LENGTH} characters)`,
        );
      }
    }
    return this.template(value, location);
  }

  /** The name of another state (Next, Default, a rule's or catcher's Next). */
  target(value: unknown, location: string): string | undefined {
    if (typeof value === "string" && value.length > 0) return value;
    this.problem(location, `must name a state, got ${JSON.stringify(value)}`);
    return undefined;
  }
}

export function checkNumber(value: unknown, rule: NumberRule): value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (rule.integer && !Number.isInteger(value)) return false;
  return value >= rule.min && (rule.max === undefined || value <= rule.max);
}

export function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? "an integer" : "a number";
  return rule.max === undefined ? `${kind} ≥ ${rule.min}` : `${kind} from ${rule.min} to ${rule.max}`;
}
