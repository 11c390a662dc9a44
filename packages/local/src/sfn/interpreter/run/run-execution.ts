import { setMaxListeners } from "node:events";
import type { ExecutionResult, RunOptions } from "../contract.ts";
import { loadMachine } from "../definition/load-machine.ts";
import { StateAborted, StatesFailure } from "../errors.ts";
import { dataDetails, History, Thread } from "./history.ts";
import { runBranch } from "./run-branch.ts";
import { VariableScope } from "./scope.ts";
import type { Runtime } from "./state-run.ts";
import { regionOf } from "./states/task-resource.ts";

/** What StopExecution passed, if the service aborted with `{ error, cause }` as the signal's reason. */
function stopDetails(reason: unknown): { error?: string; cause?: string } {
  if (reason === null || typeof reason !== "object") return {};
  const { error, cause } = reason as { error?: unknown; cause?: unknown };
  return { ...(typeof error === "string" ? { error } : {}), ...(typeof cause === "string" ? { cause } : {}) };
}

function failureDetails(error: unknown): { error?: string; cause?: string } {
  const failure = error instanceof StatesFailure ? error : new StatesFailure("States.Runtime", `Internal error of the local interpreter: ${(error as Error)?.message ?? String(error)}`);
  return { ...(failure.error === "" ? {} : { error: failure.error }), ...(failure.causeText === undefined ? {} : { cause: failure.causeText }) };
}

/**
 * Runs one execution of a JSONata state machine to its end and reports every step through
 * `onHistoryEvent`. Never rejects for anything the state machine does: failures, timeouts and
 * stops are results. Throws `InvalidDefinitionError` for a definition `validateDefinition` rejects.
 */
export async function runExecution(options: RunOptions): Promise<ExecutionResult> {
  const machine = loadMachine(options.definition);
  const { clock, context, resumeFrom } = options;
  const history = new History(options.onHistoryEvent, clock, resumeFrom?.nextEventId ?? 1);
  const thread = new Thread(resumeFrom ? resumeFrom.nextEventId - 1 : 0);

  const root = new AbortController();
  setMaxListeners(0, root.signal);
  const onStop = () => root.abort(options.signal.reason);
  if (options.signal.aborted) onStop();
  else options.signal.addEventListener("abort", onStop, { once: true });

  // Execution-level TimeoutSeconds counts from the execution's start, also across a resume.
  const timer = new AbortController();
  let timedOut = false;
  if (machine.timeoutSeconds !== undefined) {
    const started = Date.parse(context.Execution.StartTime);
    const deadline = (Number.isNaN(started) ? clock.now() : started) + machine.timeoutSeconds * 1000;
    clock.sleep(Math.max(0, deadline - clock.now()), timer.signal).then(
      () => {
        timedOut = true;
        root.abort(new StateAborted());
      },
      () => {},
    );
  }

  if (!resumeFrom) {
    history.add(thread, "ExecutionStarted", "executionStartedEventDetails", { ...dataDetails("input", options.input), roleArn: context.Execution.RoleArn }, { advance: false });
  }
  const scope = new VariableScope({}, resumeFrom?.variables ?? {});
  const runtime: Runtime = {
    options,
    clock,
    history,
    region: regionOf(context.Execution.Id),
    runBranch: (branch, input, frame) => runBranch(runtime, branch, input, frame),
  };
  const checkpoint = options.onCheckpoint;
  const onTransition = checkpoint
    ? (stateName: string, input: unknown) => checkpoint({ stateName, input, variables: scope.own(), nextEventId: history.nextId })
    : undefined;

  try {
    const output = await runBranch(runtime, machine, resumeFrom ? resumeFrom.input : options.input, { scope, thread, signal: root.signal }, onTransition, resumeFrom?.stateName);
    history.add(thread, "ExecutionSucceeded", "executionSucceededEventDetails", dataDetails("output", output));
    return { status: "SUCCEEDED", output };
  } catch (error) {
    if (timedOut) {
      const details = { error: "States.Timeout", cause: `The execution ran longer than the state machine's TimeoutSeconds (${machine.timeoutSeconds}).` };
      history.add(thread, "ExecutionTimedOut", "executionTimedOutEventDetails", details);
      return { status: "TIMED_OUT", ...details };
    }
    if (root.signal.aborted) {
      const details = stopDetails(options.signal.reason);
      history.add(thread, "ExecutionAborted", "executionAbortedEventDetails", details);
      return { status: "ABORTED", ...details };
    }
    const details = failureDetails(error);
    history.add(thread, "ExecutionFailed", "executionFailedEventDetails", details);
    return { status: "FAILED", ...details };
  } finally {
    timer.abort();
    options.signal.removeEventListener("abort", onStop);
  }
}
