import type { Retrier } from "../definition/types.ts";

/**
 * Which ErrorEquals names match an error, per the AWS developer guide ("Error names"):
 * - `States.Runtime` is never retried or caught;
 * - `States.ALL` matches any other error except `States.DataLimitExceeded`, which only a
 *   retrier or catcher naming it handles;
 * - `States.TaskFailed` matches any error except `States.Timeout` (a heartbeat timeout counts
 *   as a timeout here);
 * - `States.Timeout` also matches `States.HeartbeatTimeout` ("a Task ran longer than TimeoutSeconds
 *   or failed to heartbeat for longer than HeartbeatSeconds");
 * - any other name matches itself exactly.
 */
const TIMEOUTS = new Set(["States.Timeout", "States.HeartbeatTimeout"]);

export function errorMatches(error: string, errorEquals: readonly string[]): boolean {
  if (error === "States.Runtime") return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (error === "States.DataLimitExceeded") continue;
    if (name === "States.ALL") return true;
    if (name === "States.TaskFailed" && !TIMEOUTS.has(error)) return true;
    if (name === "States.Timeout" && error === "States.HeartbeatTimeout") return true;
  }
  return false;
}

/**
 * The wait before retry number `attempt` (1 for the first retry) of one retrier:
 * IntervalSeconds × BackoffRate^(attempt−1), capped at MaxDelaySeconds; with JitterStrategy FULL a
 * uniformly random delay between 0 and that value (AWS "Retrying after an error").
 */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number = Math.random): number {
  let seconds = retrier.intervalSeconds * retrier.backoffRate ** (attempt - 1);
  if (retrier.maxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.maxDelaySeconds);
  const ms = seconds * 1000;
  return retrier.jitterStrategy === "FULL" ? random() * ms : ms;
}
