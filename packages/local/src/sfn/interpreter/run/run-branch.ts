import { setImmediate as nextTurn } from "node:timers/promises";
import { trackWork } from "../clock.ts";
import type { Branch } from "../definition/types.ts";
import { StateAborted, StatesFailure } from "../errors.ts";
import { runState } from "./run-state.ts";
import type { Frame, Runtime } from "./state-run.ts";

/** Called between two states: the state about to be entered and its input. */
export type Transition = (next: string, input: unknown) => void;

/** AWS's quota on events in one execution's history; beyond it the execution fails. */
export const MAX_HISTORY_EVENTS = 25_000;

/** States between two yields to the event loop, so a loop of Pass/Choice states cannot starve timers and StopExecution. */
const STATES_PER_TURN = 64;
let statesSinceYield = 0;

/** Runs states from `StartAt` until one ends the branch; resolves with the branch's output. */
export async function runBranch(runtime: Runtime, branch: Branch, input: unknown, frame: Frame, onTransition?: Transition, startAt?: string): Promise<unknown> {
  let name = startAt ?? branch.startAt;
  let value = input;
  for (;;) {
    if (frame.signal.aborted) throw new StateAborted();
    if (runtime.history.nextId > MAX_HISTORY_EVENTS) {
      throw new StatesFailure("States.Runtime", `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`);
    }
    if (++statesSinceYield >= STATES_PER_TURN) {
      statesSinceYield = 0;
      await trackWork(runtime.clock, () => nextTurn());
    }
    const state = branch.states.get(name);
    if (!state) throw new Error(`state '${name}' is not in this branch`);
    const { output, next } = await runState(runtime, state, value, frame);
    if (next === undefined) return output;
    onTransition?.(next, output);
    name = next;
    value = output;
  }
}
