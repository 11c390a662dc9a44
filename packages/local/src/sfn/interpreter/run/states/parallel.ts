import { setMaxListeners } from "node:events";
import type { ParallelState } from "../../definition/types.ts";
import { StateAborted, type StatesFailure } from "../../errors.ts";
import type { Completion } from "../completion.ts";
import { Thread } from "../history.ts";
import { VariableScope } from "../scope.ts";
import type { StateRun } from "../state-run.ts";

/**
 * Parallel (AWS "Parallel workflow state"): every branch gets the same input (`Arguments` when
 * given) and its own variable scope; the result is the array of branch outputs in branch order.
 * If any branch fails, the state fails with that branch's error and the other branches are stopped.
 */
export async function runParallel(run: StateRun, state: ParallelState): Promise<Completion> {
  const { history, runBranch } = run.runtime;
  const input = state.arguments === undefined ? run.input : await run.evaluate(state.arguments, "Arguments");
  run.emit("ParallelStateStarted");

  const parallelThread = run.frame.thread;
  const parent = run.frame.signal;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  const outer = run.frame.scope.view();
  let failure: StatesFailure | undefined;
  let last = parallelThread.last;

  const results = await Promise.all(
    state.branches.map(async (branch) => {
      const thread = new Thread(parallelThread.last);
      try {
        return await runBranch(branch, input, { scope: new VariableScope(outer), thread, signal: controller.signal });
      } catch (error) {
        if (!(error instanceof StateAborted) && !controller.signal.aborted) {
          failure ??= error as StatesFailure;
          controller.abort(new StateAborted());
        }
        return undefined;
      } finally {
        last = Math.max(last, thread.last);
      }
    }),
  ).finally(() => parent.removeEventListener("abort", onParentAbort));

  parallelThread.last = last;
  if (parent.aborted) throw new StateAborted();
  if (failure) {
    run.emit("ParallelStateFailed");
    throw failure;
  }
  run.emit("ParallelStateSucceeded", undefined, undefined, { advance: false });
  return { next: state.next, output: state.output, assign: state.assign, result: results };
}
