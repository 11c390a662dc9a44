import { FreshetError } from "@freshet/core";
import type {
  Clock,
  ContextObject,
  ExecutionResult,
  HistoryEvent,
  ResumePoint,
  RunOptions,
  TaskInvoker,
} from "../interpreter/contract.ts";
import type { ExecutionRecord } from "./records.ts";
import type { SfnStore } from "./store.ts";
import type { TaskTokens } from "./task-tokens.ts";

export type RunExecution = (options: RunOptions) => Promise<ExecutionResult>;

/**
 * Why an execution's signal was aborted by StopExecution: the interpreter reads `error` and
 * `cause` as the ExecutionAborted event's. Here the ES `cause` is StopExecution's Cause text,
 * not an underlying error, and is left unset when the caller gave none (the event then has none).
 */
export class ExecutionStopped extends FreshetError {
  override readonly name = "ExecutionStopped";
  readonly error?: string;
  constructor(error?: string, cause?: string) {
    super(`Execution stopped${error ? `: ${error}` : ""}`, cause === undefined ? undefined : { cause });
    this.error = error;
  }
}

/** Why signals are aborted when the service shuts down: the executions stay RUNNING on disk. */
export class ServiceShutdown extends FreshetError {
  override readonly name = "ServiceShutdown";
  constructor() {
    super("The Step Functions service is shutting down");
  }
}

const TERMINAL = new Set(["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]);
const DATA_FIELDS = new Set(["input", "output", "parameters", "cause"]);

interface Running {
  readonly controller: AbortController;
  /** False once the service stopped listening to this run (stopped, or shutting down). */
  recording: boolean;
  done?: Promise<void>;
}

export interface RunnerDeps {
  readonly store: SfnStore;
  readonly clock: Clock;
  readonly tokens: TaskTokens;
  readonly invokeTask: TaskInvoker;
  readonly runExecution: RunExecution;
  /** Called when an execution reaches a final status (after it is persisted). */
  readonly onFinished: (record: ExecutionRecord) => void;
}

/**
 * Drives executions through the interpreter: persists every history event and checkpoint as it
 * comes, records the final status, and appends the closing history event itself when the
 * interpreter did not (so the history always ends as AWS's does).
 */
export class ExecutionRunner {
  private readonly deps: RunnerDeps;
  private readonly running = new Map<string, Running>();
  private shuttingDown = false;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  isRunning(arn: string): boolean {
    return this.running.has(arn);
  }

  start(record: ExecutionRecord, resumeFrom?: ResumePoint): void {
    const { store } = this.deps;
    const run: Running = { controller: new AbortController(), recording: true };
    this.running.set(record.arn, run);
    store.openHistory(record);
    const context: ContextObject = {
      Execution: {
        Id: record.arn,
        Name: record.name,
        StartTime: new Date(record.startDate).toISOString(),
        RoleArn: record.roleArn,
        Input: JSON.parse(record.input) as unknown,
        RedriveCount: 0,
      },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineName },
    };
    run.done = (async () => {
      let result: ExecutionResult;
      try {
        result = await this.deps.runExecution({
          definition: JSON.parse(record.definition) as Record<string, unknown>,
          input: context.Execution.Input,
          context,
          clock: this.deps.clock,
          invokeTask: this.deps.invokeTask,
          onHistoryEvent: (event) => {
            if (run.recording) store.appendHistory(record.arn, normalizeEvent(event));
          },
          onCheckpoint: (point) => {
            if (run.recording) store.writeCheckpoint(record, point);
          },
          resumeFrom,
          signal: run.controller.signal,
        });
      } catch (error) {
        // An interpreter bug must not leave the execution RUNNING forever.
        result = { status: "FAILED", error: "States.Runtime", cause: error instanceof Error ? error.message : String(error) };
      }
      if (!run.recording) return;
      // Nothing the interpreter might still emit after its result belongs in the history.
      run.recording = false;
      this.finish(record.arn, result);
    })().finally(() => this.running.delete(record.arn));
  }

  /** StopExecution: the execution is ABORTED at once; the interpreter is told through its signal. */
  stop(arn: string, error?: string, cause?: string): ExecutionRecord {
    const { store, clock } = this.deps;
    const run = this.running.get(arn);
    const record = store.executions.get(arn)!;
    if (run) run.recording = false;
    store.openHistory(record);
    this.appendClosingEvent(arn, "ExecutionAborted", "executionAbortedEventDetails", compact({ error, cause }));
    const stopped: ExecutionRecord = { ...record, status: "ABORTED", stopDate: clock.now(), ...compact({ error, cause }) };
    this.persistFinal(stopped);
    run?.controller.abort(new ExecutionStopped(error, cause));
    return stopped;
  }

  /** Resolves when the execution's run has settled (at once if it is not running here). */
  async wait(arn: string): Promise<void> {
    await this.running.get(arn)?.done;
  }

  /** Aborts every run without recording an end: after a restart they resume from their checkpoints. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const runs = [...this.running.values()];
    for (const run of runs) {
      run.recording = false;
      run.controller.abort(new ServiceShutdown());
    }
    await Promise.allSettled(runs.map((r) => r.done));
  }

  private finish(arn: string, result: ExecutionResult): void {
    if (this.shuttingDown) return;
    const record = this.deps.store.executions.get(arn);
    if (!record || record.status !== "RUNNING") return;
    const { status } = result;
    const output = status === "SUCCEEDED" ? JSON.stringify(result.output ?? null) : undefined;
    const closing = {
      SUCCEEDED: ["ExecutionSucceeded", "executionSucceededEventDetails", { output, outputDetails: { truncated: false } }],
      FAILED: ["ExecutionFailed", "executionFailedEventDetails", compact({ error: result.error, cause: result.cause })],
      ABORTED: ["ExecutionAborted", "executionAbortedEventDetails", compact({ error: result.error, cause: result.cause })],
      TIMED_OUT: ["ExecutionTimedOut", "executionTimedOutEventDetails", compact({ error: result.error, cause: result.cause })],
    } as const;
    const [type, detailsKey, details] = closing[status];
    this.appendClosingEvent(arn, type, detailsKey, details);
    this.persistFinal({
      ...record,
      status,
      stopDate: this.deps.clock.now(),
      ...compact({ output, error: result.error, cause: result.cause }),
    });
  }

  private appendClosingEvent(arn: string, type: string, detailsKey: string, details: object): void {
    const { store, clock } = this.deps;
    const last = store.lastEvent(arn);
    if (last && TERMINAL.has(last.type)) return;
    const id = (last?.id ?? 0) + 1;
    store.appendHistory(arn, { id, previousEventId: last?.id ?? 0, timestamp: clock.now(), type, [detailsKey]: details });
  }

  private persistFinal(record: ExecutionRecord): void {
    const { store, tokens } = this.deps;
    store.putExecution(record);
    store.closeHistory(record.arn);
    tokens.closeExecution(record.arn);
    this.deps.onFinished(record);
  }
}

/** History details as the API carries them: data fields (input, output, parameters, cause) as JSON text. */
function normalizeEvent(event: HistoryEvent): HistoryEvent {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith("EventDetails") || typeof value !== "object" || value === null) continue;
    for (const [field, data] of Object.entries(value)) {
      if (DATA_FIELDS.has(field) && data !== undefined && typeof data !== "string") {
        copy ??= { ...event };
        copy[key] = { ...(copy[key] as object), [field]: JSON.stringify(data) };
      }
    }
  }
  return (copy ?? event) as HistoryEvent;
}

function compact<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
