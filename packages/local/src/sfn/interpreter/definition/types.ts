import type { Template } from "../expressions/template.ts";

/** A definition checked and compiled once: what the runner walks. */

export type StateType = "Task" | "Pass" | "Choice" | "Wait" | "Succeed" | "Fail" | "Parallel" | "Map";

export interface Retrier {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds: number | undefined;
  readonly jitterStrategy: "FULL" | "NONE";
}

export interface Catcher {
  readonly errorEquals: readonly string[];
  readonly next: string;
  readonly output: Template | undefined;
  readonly assign: Template | undefined;
}

interface StateBase {
  readonly name: string;
  /** The next state, or undefined when the state ends its branch (End, Succeed, Fail, Choice). */
  readonly next: string | undefined;
  readonly output: Template | undefined;
  readonly assign: Template | undefined;
}

interface ErrorHandling {
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
}

export interface TaskState extends StateBase, ErrorHandling {
  readonly type: "Task";
  readonly resource: string;
  readonly arguments: Template | undefined;
  readonly timeoutSeconds: Template | undefined;
  readonly heartbeatSeconds: Template | undefined;
}

export interface PassState extends StateBase {
  readonly type: "Pass";
}

export interface ChoiceRule {
  readonly condition: Template;
  readonly next: string;
  readonly output: Template | undefined;
  readonly assign: Template | undefined;
}

export interface ChoiceState extends StateBase {
  readonly type: "Choice";
  readonly choices: readonly ChoiceRule[];
  readonly default: string | undefined;
}

export interface WaitState extends StateBase {
  readonly type: "Wait";
  readonly seconds: Template | undefined;
  readonly timestamp: Template | undefined;
}

export interface SucceedState extends StateBase {
  readonly type: "Succeed";
}

export interface FailState extends StateBase {
  readonly type: "Fail";
  readonly error: Template | undefined;
  readonly cause: Template | undefined;
}

export interface ParallelState extends StateBase, ErrorHandling {
  readonly type: "Parallel";
  readonly branches: readonly Branch[];
  readonly arguments: Template | undefined;
}

export interface MapState extends StateBase, ErrorHandling {
  readonly type: "Map";
  readonly items: Template | undefined;
  readonly itemSelector: Template | undefined;
  readonly processor: Branch;
  readonly maxConcurrency: Template | undefined;
  readonly toleratedFailureCount: Template | undefined;
  readonly toleratedFailurePercentage: Template | undefined;
}

export type State = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

/** A list of states with its entry point: the machine itself, a Parallel branch, a Map's ItemProcessor. */
export interface Branch {
  readonly startAt: string;
  readonly states: ReadonlyMap<string, State>;
}

export interface Machine extends Branch {
  readonly timeoutSeconds: number | undefined;
}

export interface DefinitionProblem {
  readonly state?: string;
  readonly field?: string;
  readonly message: string;
}
