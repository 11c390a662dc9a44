/**
 * Amazon States Language, QueryLanguage JSONata, as TypeScript types: the subset Freshet writes.
 * Definitions are plain JSON data (deployed by `stacks/` as they are, run by the local runtime as
 * they are), so every value is a `Json` and every JSONata expression is a `{% … %}` string.
 * JSONPath-only fields (`Parameters`, `InputPath`, `ResultPath`, …) have no place here.
 */

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** A JSONata expression as ASL embeds it: `"{% $states.input.id %}"`. */
export type Jsonata = `{%${string}%}`;

/**
 * Writes a JSONata expression in ASL's delimiters. Source may span lines for reading; each line
 * break and the indentation after it become one space in the definition (so a string literal in
 * an expression must write a line break as `\n`, never span lines).
 */
export function jsonata(expression: string): Jsonata {
  return `{% ${expression.trim().replace(/\s*\n\s*/g, " ")} %}`;
}

/** `Assign`: variable name → value or expression, evaluated before any of them is assigned. */
export type Assign = { readonly [variable: string]: Json };

/** A state's successor: exactly one of `Next` or `End`. */
export type Transition = { readonly Next: string; readonly End?: never } | { readonly End: true; readonly Next?: never };

/** AWS error names Retry/Catch match: `States.ALL`, `States.TaskFailed`, `S3.NoSuchBucketException`, … */
export type ErrorName = string;

export interface Retrier {
  readonly ErrorEquals: readonly ErrorName[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: "FULL" | "NONE";
  readonly Comment?: string;
}

export interface Catcher {
  readonly ErrorEquals: readonly ErrorName[];
  readonly Next: string;
  readonly Output?: Json;
  readonly Assign?: Assign;
  readonly Comment?: string;
}

interface Common {
  readonly Comment?: string;
  readonly QueryLanguage?: "JSONata";
}

export type TaskState = Common &
  Transition & {
    readonly Type: "Task";
    /** `arn:aws:states:::aws-sdk:<service>:<action>`, `arn:aws:states:::sns:publish`, a Lambda ARN, … */
    readonly Resource: string;
    readonly Arguments?: Json;
    readonly Output?: Json;
    readonly Assign?: Assign;
    readonly TimeoutSeconds?: number | Jsonata;
    readonly HeartbeatSeconds?: number | Jsonata;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

export type PassState = Common &
  Transition & {
    readonly Type: "Pass";
    readonly Output?: Json;
    readonly Assign?: Assign;
  };

export interface ChoiceRule {
  readonly Condition: Jsonata | boolean;
  readonly Next: string;
  readonly Output?: Json;
  readonly Assign?: Assign;
  readonly Comment?: string;
}

export type ChoiceState = Common & {
  readonly Type: "Choice";
  readonly Choices: readonly ChoiceRule[];
  readonly Default?: string;
  readonly Output?: Json;
  readonly Assign?: Assign;
};

export type WaitState = Common &
  Transition & {
    readonly Type: "Wait";
    readonly Output?: Json;
    readonly Assign?: Assign;
  } & ({ readonly Seconds: number | Jsonata; readonly Timestamp?: never } | { readonly Timestamp: string; readonly Seconds?: never });

export type SucceedState = Common & {
  readonly Type: "Succeed";
  readonly Output?: Json;
};

export type FailState = Common & {
  readonly Type: "Fail";
  readonly Error?: string;
  readonly Cause?: string;
};

/** States and the state to start at: a state machine, a Parallel branch or a Map's processor. */
export interface StateGraph {
  readonly StartAt: string;
  readonly States: { readonly [name: string]: State };
  readonly Comment?: string;
}

export type ParallelState = Common &
  Transition & {
    readonly Type: "Parallel";
    readonly Branches: readonly StateGraph[];
    readonly Arguments?: Json;
    readonly Output?: Json;
    readonly Assign?: Assign;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

export type MapState = Common &
  Transition & {
    readonly Type: "Map";
    readonly Items?: readonly Json[] | Jsonata;
    readonly ItemSelector?: Json;
    readonly ItemProcessor: StateGraph & { readonly ProcessorConfig?: { readonly Mode: "INLINE" } };
    readonly MaxConcurrency?: number | Jsonata;
    readonly ToleratedFailurePercentage?: number | Jsonata;
    readonly ToleratedFailureCount?: number | Jsonata;
    readonly Output?: Json;
    readonly Assign?: Assign;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

export type State = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

/** A whole state machine definition, JSONata throughout. */
export interface StateMachineDefinition extends StateGraph {
  readonly QueryLanguage: "JSONata";
  /** Upper bound of one execution; AWS has none unless it is set. */
  readonly TimeoutSeconds?: number;
  readonly Version?: "1.0";
}
