import { setMaxListeners } from "node:events";
import { MAX_ASL_INTEGER } from "../../definition/field-rules.ts";
import type { MapState } from "../../definition/types.ts";
import { StateAborted, StatesFailure } from "../../errors.ts";
import { TemplateEvaluationError, unexpectedType, type Template } from "../../expressions/template.ts";
import type { Completion } from "../completion.ts";
import { Thread } from "../history.ts";
import { VariableScope } from "../scope.ts";
import type { StateRun } from "../state-run.ts";

async function items(run: StateRun, state: MapState): Promise<unknown[]> {
  if (state.items === undefined) {
    if (!Array.isArray(run.input)) {
      throw run.queryError(new TemplateEvaluationError(`Map state input must be an array but was: ${JSON.stringify(run.input)}`, "Items"));
    }
    return run.input;
  }
  const value = await run.evaluate(state.items, "Items");
  if (!Array.isArray(value)) throw run.queryError(unexpectedType(state.items, "Items", "array", value));
  return value;
}

async function count(run: StateRun, template: Template | undefined, field: string): Promise<number | undefined> {
  if (template === undefined) return undefined;
  const value = await run.evaluate(template, field);
  if (typeof value !== "number" || !Number.isInteger(value)) throw run.queryError(unexpectedType(template, field, "integer", value));
  if (value < 0) throw run.runtimeError(`${field} cannot be negative.`, field);
  if (value > MAX_ASL_INTEGER) throw run.runtimeError(`${field} must be at most ${MAX_ASL_INTEGER}.`, field);
  return value;
}

async function percentage(run: StateRun, template: Template | undefined): Promise<number | undefined> {
  if (template === undefined) return undefined;
  const value = await run.evaluate(template, "ToleratedFailurePercentage");
  if (typeof value !== "number") throw run.queryError(unexpectedType(template, "ToleratedFailurePercentage", "number", value));
  if (value < 0 || value > 100) throw run.runtimeError("ToleratedFailurePercentage must be between 0 and 100.", "ToleratedFailurePercentage");
  return value;
}

/**
 * Inline Map (AWS "Map state in inline mode"): one iteration per item, each with its own variable
 * scope, at most `MaxConcurrency` at a time (0: no limit), results in item order. Without a
 * tolerance, the first failed iteration fails the Map with its own error and stops the others.
 * With `ToleratedFailureCount`/`ToleratedFailurePercentage` (AWS defines them for Distributed Map;
 * Freshet honours them inline too) the Map fails with `States.ExceedToleratedFailureThreshold` once
 * failures exceed either one, and a tolerated failure leaves its `{Error, Cause}` in the results.
 */
export async function runMap(run: StateRun, state: MapState): Promise<Completion> {
  const { history, runBranch } = run.runtime;
  const list = await items(run, state);
  const maxConcurrency = (await count(run, state.maxConcurrency, "MaxConcurrency")) ?? 0;
  const toleratedCount = await count(run, state.toleratedFailureCount, "ToleratedFailureCount");
  const toleratedPercentage = await percentage(run, state.toleratedFailurePercentage);
  const tolerant = toleratedCount !== undefined || toleratedPercentage !== undefined;
  run.emit("MapStateStarted", "mapStateStartedEventDetails", { length: list.length });

  const mapThread = run.frame.thread;
  const parent = run.frame.signal;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  const outer = run.frame.scope.view();
  const results: unknown[] = new Array(list.length);
  let failed = 0;
  let failure: StatesFailure | undefined;
  let lastIterationEvent = mapThread.last;
  const exceeded = () =>
    tolerant
      ? (toleratedCount !== undefined && failed > toleratedCount) || (toleratedPercentage !== undefined && (failed * 100) / list.length > toleratedPercentage)
      : failed > 0;
  const stop = (reason: StatesFailure) => {
    failure ??= reason;
    controller.abort(new StateAborted());
  };

  const iterate = async (index: number): Promise<void> => {
    const thread = new Thread(mapThread.last);
    const details = { name: state.name, index };
    let input: unknown;
    try {
      const mapItem = { Index: index, Value: list[index] };
      input = state.itemSelector === undefined ? list[index] : await run.evaluate(state.itemSelector, "ItemSelector", { mapItem });
    } catch (error) {
      stop(error as StatesFailure);
      return;
    }
    history.add(thread, "MapIterationStarted", "mapIterationStartedEventDetails", details);
    try {
      results[index] = await runBranch(state.processor, input, { scope: new VariableScope(outer), thread, signal: controller.signal });
      lastIterationEvent = history.add(thread, "MapIterationSucceeded", "mapIterationSucceededEventDetails", details, { advance: false });
    } catch (error) {
      if (error instanceof StateAborted || controller.signal.aborted) {
        history.add(thread, "MapIterationAborted", "mapIterationAbortedEventDetails", details, { advance: false });
      } else {
        const iterationFailure = error as StatesFailure;
        lastIterationEvent = history.add(thread, "MapIterationFailed", "mapIterationFailedEventDetails", details, { advance: false });
        failed += 1;
        results[index] = { Error: iterationFailure.error, Cause: iterationFailure.causeText ?? "" };
        if (exceeded()) {
          stop(tolerant ? new StatesFailure("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded") : iterationFailure);
        }
      }
    }
    mapThread.last = thread.last;
  };

  let nextIndex = 0;
  const worker = async () => {
    while (!controller.signal.aborted && nextIndex < list.length) await iterate(nextIndex++);
  };
  const workers = maxConcurrency === 0 ? list.length : Math.min(maxConcurrency, list.length);
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    parent.removeEventListener("abort", onParentAbort);
  }
  if (parent.aborted) throw new StateAborted();
  if (failure) {
    run.emit("MapStateFailed");
    throw failure;
  }
  mapThread.last = lastIterationEvent;
  run.emit("MapStateSucceeded", undefined, undefined, { advance: false });
  return { next: state.next, output: state.output, assign: state.assign, result: results };
}
