import { StatesFailure } from "../errors.ts";

/**
 * Workflow variables, scoped as AWS documents ("Passing data between states with variables"):
 * states of a Map iteration or Parallel branch read the enclosing scopes' variables but cannot
 * assign them, and what they assign stays inside (each iteration/branch has its own scope).
 */
export class VariableScope {
  readonly #outer: Readonly<Record<string, unknown>>;
  readonly #own: Record<string, unknown>;
  #view: Readonly<Record<string, unknown>> | undefined;

  constructor(outer: Readonly<Record<string, unknown>> = {}, own: Readonly<Record<string, unknown>> = {}) {
    this.#outer = outer;
    this.#own = { ...own };
  }

  /** Every variable visible here (outer ones included), for evaluating expressions. */
  view(): Readonly<Record<string, unknown>> {
    this.#view ??= Object.keys(this.#outer).length === 0 ? { ...this.#own } : { ...this.#outer, ...this.#own };
    return this.#view;
  }

  /** The variables this scope itself assigned (the top level's are what a checkpoint keeps). */
  own(): Readonly<Record<string, unknown>> {
    return { ...this.#own };
  }

  /** A scope for one Map iteration or Parallel branch. */
  child(): VariableScope {
    return new VariableScope(this.view());
  }

  /** Applies one state's assignments, all evaluated beforehand with the values from before the state. */
  assign(values: Readonly<Record<string, unknown>>, errorPrefix: string): void {
    for (const name of Object.keys(values)) {
      if (name in this.#outer) {
        throw new StatesFailure("States.Runtime", `${errorPrefix}Cannot assign variable '${name}': it belongs to an outer scope (inside a Map or Parallel state, outer variables are read-only).`, {
          location: `Assign/${name}`,
        });
      }
    }
    Object.assign(this.#own, values);
    this.#view = undefined;
  }
}
