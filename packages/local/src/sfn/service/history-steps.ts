/** A history event as `@aws-sdk/client-sfn` returns it (timestamps as Dates, details by member). */
export interface WireHistoryEvent {
  readonly id?: number;
  readonly type?: string;
  readonly timestamp?: Date;
}

/** One state's pass in an execution: entered, exited (unless it failed or is still running), its data and errors. */
export interface StateStep {
  readonly name: string;
  /** `Task`, `Pass`, `Choice`, `Wait`, `Map`, `Parallel`, `Succeed`, `Fail`. */
  readonly type: string;
  readonly entered: Date;
  exited?: Date;
  readonly input?: string;
  output?: string;
  /** For Task states, what they called (`lambda:invoke`, `aws-sdk:s3:getObject`), from TaskScheduled. */
  resource?: string;
  /** Failures reported while the state was the innermost one open (`TaskFailed`, `States.Timeout`, …). */
  readonly errors: { readonly event: string; readonly error?: string; readonly cause?: string }[];
  /** Retries etc. are separate passes: the nth time this state was entered (1-based). */
  readonly attempt: number;
}

const ENTERED = /^(\w+?)StateEntered$/;
const EXITED = /^(\w+?)StateExited$/;
const FAILURE = /(Failed|TimedOut|Aborted)$/;

/**
 * Folds an AWS execution history into the states it went through, in the order they were
 * entered: each `…StateEntered` opens a step, the matching `…StateExited` closes it, and a
 * failure event belongs to the innermost step still open (an execution-level failure with no
 * state open is left to the caller, which has it from DescribeExecution).
 */
export function historySteps(events: readonly WireHistoryEvent[]): StateStep[] {
  const steps: StateStep[] = [];
  const open: StateStep[] = [];
  const attempts = new Map<string, number>();
  for (const event of events) {
    const type = event.type ?? "";
    const entered = ENTERED.exec(type);
    const exited = EXITED.exec(type);
    if (entered) {
      const details = detailsOf(event, "stateEnteredEventDetails");
      const name = String(details.name ?? "?");
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      const step: StateStep = {
        name,
        type: entered[1]!,
        entered: event.timestamp ?? new Date(0),
        ...(typeof details.input === "string" ? { input: details.input } : {}),
        errors: [],
        attempt,
      };
      steps.push(step);
      open.push(step);
    } else if (exited) {
      const details = detailsOf(event, "stateExitedEventDetails");
      const index = open.findLastIndex((s) => s.name === details.name);
      if (index === -1) continue;
      const step = open[index]!;
      open.splice(index, 1);
      step.exited = event.timestamp;
      if (typeof details.output === "string") step.output = details.output;
    } else if (type === "TaskScheduled") {
      const details = detailsOf(event, "taskScheduledEventDetails");
      const current = open[open.length - 1];
      if (current && typeof details.resource === "string") {
        current.resource = typeof details.resourceType === "string" ? `${details.resourceType}:${details.resource}` : details.resource;
      }
    } else if (FAILURE.test(type) && !type.startsWith("Execution")) {
      // Map/Parallel failures belong to the Map/Parallel step; steps of its failed iteration
      // or branch never exit, so they are closed here.
      const owner = /^(Map|Parallel)/.exec(type)?.[1];
      const index = owner ? open.findLastIndex((s) => s.type === owner) : open.length - 1;
      const current = open[index];
      if (!current) continue;
      open.splice(index + 1);
      current.errors.push({ event: type, ...failureDetails(event) });
    }
  }
  return steps;
}

function detailsOf(event: WireHistoryEvent, key: string): Record<string, unknown> {
  const details = (event as Record<string, unknown>)[key];
  return typeof details === "object" && details !== null ? (details as Record<string, unknown>) : {};
}

function failureDetails(event: WireHistoryEvent): { error?: string; cause?: string } {
  for (const [key, value] of Object.entries(event as Record<string, unknown>)) {
    if (!key.endsWith("EventDetails") || typeof value !== "object" || value === null) continue;
    const { error, cause } = value as { error?: unknown; cause?: unknown };
    return {
      ...(typeof error === "string" ? { error } : {}),
      ...(typeof cause === "string" ? { cause } : {}),
    };
  }
  return {};
}
