/**
 * The contract between the ASL interpreter (this folder) and the Step Functions service that
 * drives it (`../service/`). The interpreter knows nothing of HTTP, storage or AWS services: it
 * evaluates a definition, asks `invokeTask` to run Task states, waits through `clock`, and reports
 * every step as an AWS history event.
 */

import { FreshetError } from "@freshet/core";

/** Time as the interpreter sees it: real in `npm start`, instant in tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` (or at once with a test clock); rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The `$states.context` object, as AWS documents it. */
export interface ContextObject {
  readonly Execution: {
    readonly Id: string;
    readonly Name: string;
    readonly StartTime: string;
    readonly RoleArn: string;
    readonly Input: unknown;
    readonly RedriveCount: number;
  };
  readonly StateMachine: { readonly Id: string; readonly Name: string };
  readonly State?: { readonly Name: string; readonly EnteredTime: string; readonly RetryCount: number };
  readonly Task?: { readonly Token: string };
  readonly Map?: { readonly Item: { readonly Index: number; readonly Value: unknown } };
}

/** One Task state's call, with `Arguments` already evaluated. */
export interface TaskInvocation {
  /** The state's `Resource`, e.g. `arn:aws:states:::aws-sdk:s3:getObject` or `…:::lambda:invoke.waitForTaskToken`. */
  readonly resource: string;
  readonly arguments: unknown;
  readonly stateName: string;
  readonly context: ContextObject;
  /** Present for `.waitForTaskToken` resources: the token `SendTaskSuccess/Failure` will name. */
  readonly taskToken?: string;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  /** Aborted when the execution is stopped or the state times out. */
  readonly signal: AbortSignal;
}

/**
 * A task's failure, with AWS's error name (`States.TaskFailed`, `Lambda.ServiceException`,
 * `S3.NoSuchKeyException`, a Lambda's own error type, …) and cause; Retry/Catch match on `error`.
 * `causeText` is the ASL Cause the state machine sees; the ES `cause` is the JS error behind it,
 * for whoever debugs the emulator.
 */
export class TaskFailure extends FreshetError {
  override readonly name = "TaskFailure";
  readonly error: string;
  readonly causeText: string;
  constructor(error: string, causeText: string, options?: ErrorOptions) {
    super(`${error}: ${causeText}`, options);
    this.error = error;
    this.causeText = causeText;
  }
}

export type TaskInvoker = (invocation: TaskInvocation) => Promise<unknown>;

/**
 * A history event in AWS's shape (`GetExecutionHistory`): `type` such as `ExecutionStarted`,
 * `TaskStateEntered`, `TaskScheduled`, `TaskSucceeded`, `MapIterationStarted`, … and the
 * matching `…EventDetails` member. `timestamp` is epoch milliseconds.
 */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  readonly [details: string]: unknown;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";

export interface ExecutionResult {
  readonly status: Exclude<ExecutionStatus, "RUNNING">;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** Where to resume an execution interrupted by a restart: the next top-level state to enter. */
export interface ResumePoint {
  readonly stateName: string;
  readonly input: unknown;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly nextEventId: number;
}

export interface RunOptions {
  /** A parsed ASL definition (QueryLanguage JSONata), already validated. */
  readonly definition: Record<string, unknown>;
  readonly input: unknown;
  readonly context: ContextObject;
  readonly clock: Clock;
  readonly invokeTask: TaskInvoker;
  /** Called for every history event, in order; the service persists them. */
  readonly onHistoryEvent: (event: HistoryEvent) => void;
  /** Called after each top-level state completes, with the point to resume from. */
  readonly onCheckpoint?: (point: ResumePoint) => void;
  readonly resumeFrom?: ResumePoint;
  /** Aborting it stops the execution (`StopExecution`): result status ABORTED. */
  readonly signal: AbortSignal;
}
