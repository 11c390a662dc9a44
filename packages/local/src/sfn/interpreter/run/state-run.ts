import type { Clock, ContextObject, RunOptions } from "../contract.ts";
import type { Branch, State } from "../definition/types.ts";
import { StatesFailure } from "../errors.ts";
import { NOW_BINDING } from "../expressions/aws-functions.ts";
import { evaluateTemplate, TemplateEvaluationError, type Template } from "../expressions/template.ts";
import type { AddOptions, History, Thread } from "./history.ts";
import type { VariableScope } from "./scope.ts";

/** Where a branch runs: its variables, its line in the history, what stops it. */
export interface Frame {
  readonly scope: VariableScope;
  readonly thread: Thread;
  readonly signal: AbortSignal;
}

/** What is shared by every state of one execution. */
export interface Runtime {
  readonly options: RunOptions;
  readonly clock: Clock;
  readonly history: History;
  readonly region: string;
  /** Runs a nested branch (Parallel branch, Map iteration) to its end; rejects with its failure. */
  readonly runBranch: (branch: Branch, input: unknown, frame: Frame) => Promise<unknown>;
}

/** Extra `$states` members, present only where AWS provides them. */
export interface StatesExtras {
  readonly result?: unknown;
  readonly errorOutput?: unknown;
  readonly mapItem?: { readonly Index: number; readonly Value: unknown };
}

/** One entry into one state: its input, its context object, how it evaluates and reports. */
export class StateRun {
  readonly runtime: Runtime;
  readonly state: State;
  readonly input: unknown;
  readonly frame: Frame;
  readonly enteredEventId: number;
  /** What the StateEntered event pointed back to (AWS points EvaluationFailed there too). */
  readonly enteredPreviousId: number;
  readonly enteredAt: number;
  retryCount = 0;
  taskToken: string | undefined;
  #context: { readonly value: ContextObject; readonly retryCount: number; readonly taskToken: string | undefined } | undefined;

  constructor(runtime: Runtime, state: State, input: unknown, frame: Frame, entered: { id: number; previous: number }) {
    this.runtime = runtime;
    this.state = state;
    this.input = input;
    this.frame = frame;
    this.enteredEventId = entered.id;
    this.enteredPreviousId = entered.previous;
    this.enteredAt = runtime.clock.now();
  }

  /** AWS's prefix for failures the interpreter itself detects in this state. */
  get errorPrefix(): string {
    return `An error occurred while executing the state '${this.state.name}' (entered at the event id #${this.enteredEventId}). `;
  }

  /** `$states.context`; built once per state entry (and retry), as most expressions never read it. */
  context(mapItem?: StatesExtras["mapItem"]): ContextObject {
    const cached = this.#context;
    let value: ContextObject;
    if (cached && cached.retryCount === this.retryCount && cached.taskToken === this.taskToken) {
      value = cached.value;
    } else {
      value = {
        ...this.runtime.options.context,
        State: { Name: this.state.name, EnteredTime: new Date(this.enteredAt).toISOString(), RetryCount: this.retryCount },
        ...(this.taskToken === undefined ? {} : { Task: { Token: this.taskToken } }),
      };
      this.#context = { value, retryCount: this.retryCount, taskToken: this.taskToken };
    }
    return mapItem === undefined ? value : { ...value, Map: { Item: mapItem } };
  }

  bindings(extras: StatesExtras = {}): Record<string, unknown> {
    const states: Record<string, unknown> = { input: this.input, context: this.context(extras.mapItem) };
    if ("result" in extras) states.result = extras.result;
    if ("errorOutput" in extras) states.errorOutput = extras.errorOutput;
    return { ...this.frame.scope.view(), states, [NOW_BINDING]: this.runtime.clock.now() };
  }

  async evaluate(template: Template, location: string, extras?: StatesExtras): Promise<unknown> {
    if (template.kind === "literal") return template.value;
    try {
      return await evaluateTemplate(template, this.bindings(extras), location);
    } catch (error) {
      if (error instanceof TemplateEvaluationError) throw this.queryError(error);
      throw error;
    }
  }

  queryError(error: TemplateEvaluationError): StatesFailure {
    return new StatesFailure("States.QueryEvaluationError", this.errorPrefix + error.message, { location: error.location, cause: error });
  }

  runtimeError(message: string, location?: string): StatesFailure {
    return new StatesFailure("States.Runtime", this.errorPrefix + message, location === undefined ? {} : { location });
  }

  emit(type: string, detailsKey?: string, details?: Record<string, unknown>, options?: AddOptions): number {
    return this.runtime.history.add(this.frame.thread, type, detailsKey, details, options);
  }
}
