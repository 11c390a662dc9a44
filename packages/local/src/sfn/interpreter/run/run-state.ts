import { TaskFailure } from "../contract.ts";
import type { Catcher, MapState, ParallelState, State, TaskState } from "../definition/types.ts";
import { StateAborted, StatesFailure } from "../errors.ts";
import type { Completion } from "./completion.ts";
import { errorMatches, retryDelayMs } from "./error-matching.ts";
import { payloadText } from "./data-limit.ts";
import { dataDetails } from "./history.ts";
import { StateRun, type Frame, type Runtime } from "./state-run.ts";
import { runMap } from "./states/map.ts";
import { runParallel } from "./states/parallel.ts";
import { runChoice, runFail, runPass, runSucceed, runWait } from "./states/simple-states.ts";
import { runTask } from "./states/task.ts";

/** States whose interruption AWS records as `<Type>StateAborted`. */
const ABORTABLE = new Set(["Task", "Wait", "Map", "Parallel"]);

/** Failures already reported as EvaluationFailed, so a failure rising through a Map or Parallel is logged once. */
const reported = new WeakSet<StatesFailure>();

export interface StateOutcome {
  readonly output: unknown;
  readonly next: string | undefined;
}

function toFailure(error: unknown): StatesFailure {
  if (error instanceof StatesFailure) return error;
  if (error instanceof TaskFailure) return new StatesFailure(error.error, error.causeText, { cause: error });
  return new StatesFailure("States.Runtime", `Internal error of the local interpreter: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** AWS logs its own evaluation failures (bad JSONata result, bad Timestamp…) as an EvaluationFailed event. */
function report(run: StateRun, failure: StatesFailure): void {
  if (failure.location === undefined || reported.has(failure)) return;
  reported.add(failure);
  // AWS points it at what preceded the state's entry when the state has logged nothing else.
  const previous = run.frame.thread.last === run.enteredEventId ? run.enteredPreviousId : run.frame.thread.last;
  run.emit(
    "EvaluationFailed",
    "evaluationFailedEventDetails",
    { error: failure.error, ...(failure.causeText === undefined ? {} : { cause: failure.causeText }), location: failure.location, state: run.state.name },
    { previous },
  );
}

function execute(run: StateRun): Promise<Completion> | Completion {
  const state = run.state;
  switch (state.type) {
    case "Task":
      return runTask(run, state);
    case "Pass":
      return runPass(run, state);
    case "Choice":
      return runChoice(run, state);
    case "Wait":
      return runWait(run, state);
    case "Succeed":
      return runSucceed(run, state);
    case "Fail":
      return runFail(run, state);
    case "Parallel":
      return runParallel(run, state);
    case "Map":
      return runMap(run, state);
  }
}

/** Applies Assign and Output — both see the variables as they were before this state — then reports the exit. */
async function exit(run: StateRun, assign: Completion["assign"], outputTemplate: Completion["output"], fallback: unknown, extras: object): Promise<unknown> {
  const assigned = assign === undefined ? undefined : ((await run.evaluate(assign, "Assign", extras)) as Record<string, unknown>);
  const output = outputTemplate === undefined ? fallback : await run.evaluate(outputTemplate, "Output", extras);
  const text = payloadText(output, run.state.name);
  if (assigned !== undefined) run.frame.scope.assign(assigned, run.errorPrefix);
  const variables =
    assigned === undefined || Object.keys(assigned).length === 0
      ? {}
      : {
          assignedVariables: Object.fromEntries(Object.entries(assigned).map(([k, v]) => [k, JSON.stringify(v)])),
          assignedVariablesDetails: { truncated: false },
        };
  run.emit(`${run.state.type}StateExited`, "stateExitedEventDetails", { name: run.state.name, ...dataDetails("output", output, text), ...variables });
  return output;
}

async function finish(run: StateRun, completion: Completion): Promise<StateOutcome> {
  const hasResult = "result" in completion;
  const output = await exit(run, completion.assign, completion.output, hasResult ? completion.result : run.input, hasResult ? { result: completion.result } : {});
  return { output, next: completion.next };
}

async function caught(run: StateRun, catcher: Catcher, failure: StatesFailure): Promise<StateOutcome> {
  const errorOutput = { Error: failure.error, Cause: failure.causeText ?? "" };
  const output = await exit(run, catcher.assign, catcher.output, errorOutput, { errorOutput });
  return { output, next: catcher.next };
}

/** Retry, then Catch (AWS "Handling errors"): the first retrier matching the error decides; once it is spent, the catchers. */
async function withErrorHandling(run: StateRun, state: TaskState | MapState | ParallelState): Promise<StateOutcome> {
  const attempts = state.retry.map(() => 0);
  for (;;) {
    try {
      return await finish(run, await execute(run));
    } catch (error) {
      if (error instanceof StateAborted || run.frame.signal.aborted) throw error;
      const failure = toFailure(error);
      report(run, failure);
      const index = state.retry.findIndex((r) => errorMatches(failure.error, r.errorEquals));
      const retrier = state.retry[index];
      if (retrier && attempts[index]! < retrier.maxAttempts) {
        attempts[index]! += 1;
        await run.runtime.clock.sleep(retryDelayMs(retrier, attempts[index]!), run.frame.signal);
        run.retryCount += 1;
        continue;
      }
      const catcher = state.catch.find((c) => errorMatches(failure.error, c.errorEquals));
      if (!catcher) throw failure;
      return caught(run, catcher, failure);
    }
  }
}

/** Enters a state, runs it, reports how it ended; rejects with its failure or with StateAborted. */
export async function runState(runtime: Runtime, state: State, input: unknown, frame: Frame): Promise<StateOutcome> {
  const previous = frame.thread.last;
  const id = runtime.history.add(frame.thread, `${state.type}StateEntered`, "stateEnteredEventDetails", { name: state.name, ...dataDetails("input", input) });
  const run = new StateRun(runtime, state, input, frame, { id, previous });
  try {
    if (state.type === "Task" || state.type === "Map" || state.type === "Parallel") return await withErrorHandling(run, state);
    return await finish(run, await execute(run));
  } catch (error) {
    if (error instanceof StateAborted || frame.signal.aborted) {
      if (ABORTABLE.has(state.type)) run.emit(`${state.type}StateAborted`);
      throw error instanceof StateAborted ? error : new StateAborted({ cause: error });
    }
    const failure = toFailure(error);
    report(run, failure);
    throw failure;
  }
}
