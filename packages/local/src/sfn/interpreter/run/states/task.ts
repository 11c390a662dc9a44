import { randomBytes } from "node:crypto";
import { TaskFailure } from "../../contract.ts";
import { MAX_ASL_INTEGER } from "../../definition/field-rules.ts";
import type { TaskState } from "../../definition/types.ts";
import { StateAborted, StatesFailure } from "../../errors.ts";
import { unexpectedType, type Template } from "../../expressions/template.ts";
import type { Completion } from "../completion.ts";
import { trackWork } from "../../clock.ts";
import { payloadText } from "../data-limit.ts";
import { dataDetails } from "../history.ts";
import type { StateRun } from "../state-run.ts";
import { describeResource, type TaskResource } from "./task-resource.ts";

const TIMEOUT_ERRORS = new Set(["States.Timeout", "States.HeartbeatTimeout"]);

async function seconds(run: StateRun, template: Template | undefined, field: string): Promise<number | undefined> {
  if (template === undefined) return undefined;
  const value = await run.evaluate(template, field);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_ASL_INTEGER) {
    throw run.queryError(unexpectedType(template, field, `integer from 1 to ${MAX_ASL_INTEGER}`, value));
  }
  return value;
}

function eventNames(resource: TaskResource) {
  const p = resource.eventPrefix;
  const key = (suffix: string) => `${p === "Task" ? "task" : "lambdaFunction"}${suffix}EventDetails`;
  return {
    scheduled: [`${p}Scheduled`, key("Scheduled")],
    started: [`${p}Started`, p === "Task" ? key("Started") : undefined],
    succeeded: [`${p}Succeeded`, key("Succeeded")],
    failed: [`${p}Failed`, key("Failed")],
    timedOut: [`${p}TimedOut`, key("TimedOut")],
  } as const;
}

/**
 * Runs the task through the contract's `invokeTask`, bounded by `TimeoutSeconds` when the state has
 * one (AWS has no default task timeout, so neither does this). `HeartbeatSeconds` is passed on:
 * heartbeats arrive at the service (SendTaskHeartbeat), which rejects with
 * `TaskFailure("States.HeartbeatTimeout", …)` when they stop.
 */
async function invoke(run: StateRun, state: TaskState, args: unknown, timeoutSeconds: number | undefined, heartbeatSeconds: number | undefined): Promise<unknown> {
  const { clock, options } = run.runtime;
  const parent = run.frame.signal;
  const task = new AbortController();
  const timer = new AbortController();
  let onParentAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onParentAbort = () => {
      task.abort(parent.reason);
      reject(new StateAborted());
    };
  });
  aborted.catch(() => {});
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  // Tracked work: a virtual clock stands still while the task is busy for real.
  const call = trackWork(clock, async () =>
    options.invokeTask({
      resource: state.resource,
      arguments: args,
      stateName: state.name,
      context: run.context(),
      ...(run.taskToken === undefined ? {} : { taskToken: run.taskToken }),
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
      ...(heartbeatSeconds === undefined ? {} : { heartbeatSeconds }),
      signal: task.signal,
    }),
    task.signal,
  );
  call.catch(() => {});
  const timedOut = new StatesFailure("States.Timeout", undefined);
  const contenders: Promise<unknown>[] = [call, aborted];
  if (timeoutSeconds !== undefined) {
    // Rejects once the timeout passes. When the task ends first the sleep is aborted and this
    // stays pending, referenced by nothing, and goes with the race: no shared never-settling
    // promise, which would gain a reaction per task and keep every task's result.
    contenders.push(
      new Promise<never>((_, reject) => {
        clock.sleep(timeoutSeconds * 1000, timer.signal).then(
          () => reject(timedOut),
          (error: unknown) => {
            if (!timer.signal.aborted) reject(error);
          },
        );
      }),
    );
  }
  try {
    return await Promise.race(contenders);
  } catch (error) {
    if (error === timedOut) task.abort(timedOut);
    throw error;
  } finally {
    timer.abort();
    parent.removeEventListener("abort", onParentAbort);
  }
}

export async function runTask(run: StateRun, state: TaskState): Promise<Completion> {
  const resource = describeResource(state.resource);
  const names = eventNames(resource);
  run.taskToken = resource.waitForTaskToken ? randomBytes(48).toString("base64") : undefined;
  const args = state.arguments === undefined ? run.input : await run.evaluate(state.arguments, "Arguments");
  const timeoutSeconds = await seconds(run, state.timeoutSeconds, "TimeoutSeconds");
  const heartbeatSeconds = await seconds(run, state.heartbeatSeconds, "HeartbeatSeconds");
  const ids = { resourceType: resource.resourceType, resource: resource.resource };
  if (resource.eventPrefix === "Task") {
    run.emit(names.scheduled[0], names.scheduled[1], {
      ...ids,
      region: run.runtime.region,
      parameters: JSON.stringify(args ?? null),
      ...(timeoutSeconds === undefined ? {} : { timeoutInSeconds: timeoutSeconds }),
      ...(heartbeatSeconds === undefined ? {} : { heartbeatInSeconds: heartbeatSeconds }),
    });
    run.emit(names.started[0], names.started[1], ids);
  } else {
    run.emit(names.scheduled[0], names.scheduled[1], {
      resource: resource.resource,
      ...dataDetails("input", args),
      ...(timeoutSeconds === undefined ? {} : { timeoutInSeconds: timeoutSeconds }),
    });
    run.emit(names.started[0]);
  }
  const common = resource.eventPrefix === "Task" ? ids : {};
  let result: unknown;
  let text: string;
  try {
    result = (await invoke(run, state, args, timeoutSeconds, heartbeatSeconds)) ?? null;
    text = payloadText(result, resource.eventPrefix === "Task" ? resource.resourceType : resource.resource);
  } catch (error) {
    if (error instanceof StateAborted || run.frame.signal.aborted) throw new StateAborted({ cause: error });
    const failure =
      error instanceof TaskFailure
        ? new StatesFailure(error.error, error.causeText, { cause: error })
        : error instanceof StatesFailure
          ? error
          : new StatesFailure("States.TaskFailed", (error as Error)?.message ?? String(error), { cause: error });
    const [type, key] = TIMEOUT_ERRORS.has(failure.error) ? names.timedOut : names.failed;
    run.emit(type, key, { ...common, error: failure.error, ...(failure.causeText === undefined ? {} : { cause: failure.causeText }) });
    throw failure;
  }
  run.emit(names.succeeded[0], names.succeeded[1], { ...common, ...dataDetails("output", result, text) });
  return { next: state.next, output: state.output, assign: state.assign, result };
}
