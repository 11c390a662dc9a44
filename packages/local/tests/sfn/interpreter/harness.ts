import { expect } from "vitest";
import {
  runExecution,
  validateDefinition,
  VirtualClock,
  type Clock,
  type ContextObject,
  type ExecutionResult,
  type HistoryEvent,
  type ResumePoint,
  type TaskInvocation,
  type TaskInvoker,
} from "../../../src/sfn/interpreter/index.ts";

export const EXECUTION_ARN = "arn:aws:states:eu-west-1:123456789012:execution:Conformance:run-1";
export const STATE_MACHINE_ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:Conformance";
export const ROLE_ARN = "arn:aws:iam::123456789012:role/ConformanceRole";

export function contextFor(clock: Clock, input: unknown, startTime = clock.now()): ContextObject {
  return {
    Execution: { Id: EXECUTION_ARN, Name: "run-1", StartTime: new Date(startTime).toISOString(), RoleArn: ROLE_ARN, Input: input, RedriveCount: 0 },
    StateMachine: { Id: STATE_MACHINE_ARN, Name: "Conformance" },
  };
}

/** A JSONata machine from its states (top-level QueryLanguage JSONata). */
export function machine(states: Record<string, unknown>, startAt = Object.keys(states)[0]!, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { QueryLanguage: "JSONata", StartAt: startAt, States: states, ...extra };
}

export interface Run {
  readonly result: ExecutionResult;
  readonly events: HistoryEvent[];
  readonly clock: VirtualClock;
  readonly started: number;
  readonly calls: TaskInvocation[];
  readonly checkpoints: ResumePoint[];
  /** Events of one type. */
  of(type: string): HistoryEvent[];
  /** Virtual milliseconds from the start to an event. */
  at(event: HistoryEvent): number;
}

export interface RunSettings {
  readonly invokeTask?: TaskInvoker;
  readonly clock?: VirtualClock;
  readonly signal?: AbortSignal;
  readonly resumeFrom?: ResumePoint;
  /** The execution's StartTime (epoch ms) when it is not the clock's now, as for a resumed execution. */
  readonly startTime?: number;
  /** Skip the validateDefinition check (for definitions that are meant to be rejected elsewhere). */
  readonly unchecked?: boolean;
}

const noTasks: TaskInvoker = async (invocation) => {
  throw new Error(`unexpected task ${invocation.resource}`);
};

/** Validates (it must pass, as CreateStateMachine would) and runs a definition on a virtual clock. */
export async function run(definition: Record<string, unknown>, input: unknown = {}, settings: RunSettings = {}): Promise<Run> {
  if (!settings.unchecked) expect(validateDefinition(definition)).toEqual([]);
  const clock = settings.clock ?? new VirtualClock();
  const started = clock.now();
  const events: HistoryEvent[] = [];
  const calls: TaskInvocation[] = [];
  const checkpoints: ResumePoint[] = [];
  const invokeTask = settings.invokeTask ?? noTasks;
  const result = await runExecution({
    definition,
    input,
    context: contextFor(clock, input, settings.startTime),
    clock,
    invokeTask: (invocation) => {
      calls.push(invocation);
      return invokeTask(invocation);
    },
    onHistoryEvent: (event) => events.push(event),
    onCheckpoint: (point) => checkpoints.push(point),
    ...(settings.resumeFrom ? { resumeFrom: settings.resumeFrom } : {}),
    signal: settings.signal ?? new AbortController().signal,
  });
  return {
    result,
    events,
    clock,
    started,
    calls,
    checkpoints,
    of: (type) => events.filter((e) => e.type === type),
    at: (event) => event.timestamp - started,
  };
}

/** The `…EventDetails` member of an event. */
export function details(event: HistoryEvent | undefined): Record<string, unknown> {
  expect(event).toBeDefined();
  const key = Object.keys(event!).find((k) => k.endsWith("EventDetails"));
  return key ? (event![key] as Record<string, unknown>) : {};
}

/** A task that answers with (a function of) its evaluated Arguments. */
export function echoTask(transform: (invocation: TaskInvocation) => unknown = (i) => i.arguments): TaskInvoker {
  return async (invocation) => transform(invocation);
}
