import type { ChoiceState, FailState, PassState, SucceedState, WaitState } from "../../definition/types.ts";
import { parseAslTimestamp } from "../../definition/timestamp.ts";
import { StatesFailure } from "../../errors.ts";
import { TemplateEvaluationError, unexpectedType } from "../../expressions/template.ts";
import { MAX_ASL_INTEGER } from "../../definition/field-rules.ts";
import type { Completion } from "../completion.ts";
import type { StateRun } from "../state-run.ts";

export function runPass(_run: StateRun, state: PassState): Completion {
  return { next: state.next, output: state.output, assign: state.assign };
}

export function runSucceed(_run: StateRun, state: SucceedState): Completion {
  return { next: undefined, output: state.output, assign: undefined };
}

/** Choice: the first rule whose Condition is true, else Default, else States.NoChoiceMatched. */
export async function runChoice(run: StateRun, state: ChoiceState): Promise<Completion> {
  for (const rule of state.choices) {
    const value = await run.evaluate(rule.condition, "Condition");
    if (typeof value !== "boolean") throw run.queryError(unexpectedType(rule.condition, "Condition", "boolean", value));
    if (value) return { next: rule.next, output: rule.output, assign: rule.assign };
  }
  if (state.default !== undefined) return { next: state.default, output: state.output, assign: state.assign };
  throw new StatesFailure("States.NoChoiceMatched", `${run.errorPrefix}No Choice rule matched the input and the state has no Default.`);
}

/** Fail: ends the branch with its Error and Cause (either may be absent, as in AWS's ExecutionFailed). */
export async function runFail(run: StateRun, state: FailState): Promise<never> {
  const text = async (template: FailState["error"], field: string): Promise<string | undefined> => {
    if (template === undefined) return undefined;
    const value = await run.evaluate(template, field);
    if (typeof value !== "string") throw run.queryError(unexpectedType(template, field, "string", value));
    return value;
  };
  const error = await text(state.error, "Error");
  const cause = await text(state.cause, "Cause");
  throw new StatesFailure(error ?? "", cause);
}

/** Wait: `Seconds` (a non-negative integer) or `Timestamp` (AWS's ISO-8601 form), literal or JSONata. */
export async function runWait(run: StateRun, state: WaitState): Promise<Completion> {
  const clock = run.runtime.clock;
  let ms = 0;
  if (state.seconds !== undefined) {
    const seconds = await run.evaluate(state.seconds, "Seconds");
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
      throw run.queryError(unexpectedType(state.seconds, "Seconds", "non-negative integer", seconds));
    }
    if (seconds > MAX_ASL_INTEGER) throw run.runtimeError("Wait state delay is too long.", "Seconds");
    ms = seconds * 1000;
  } else if (state.timestamp !== undefined) {
    const text = await run.evaluate(state.timestamp, "Timestamp");
    const at = typeof text === "string" ? parseAslTimestamp(text) : undefined;
    if (at === undefined) {
      const shown = typeof text === "string" ? text : JSON.stringify(text);
      throw run.queryError(
        new TemplateEvaluationError(`The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${shown}`, "Timestamp"),
      );
    }
    ms = Math.max(0, at - clock.now());
    if (ms > MAX_ASL_INTEGER * 1000) throw run.runtimeError("Wait state delay is too long.", "Timestamp");
  }
  await clock.sleep(ms, run.frame.signal);
  return { next: state.next, output: state.output, assign: state.assign };
}
