import type { StateType } from "./types.ts";

/** Which fields each JSONata state may have (AWS "State machine structure" / per-state pages). */

export const STATE_TYPES: readonly StateType[] = ["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

const COMMON = ["Type", "Comment", "QueryLanguage"];
const FLOW = ["Next", "End"];
const DATA = ["Output", "Assign"];

export const ALLOWED_FIELDS: Readonly<Record<StateType, ReadonlySet<string>>> = {
  Task: new Set([...COMMON, ...FLOW, ...DATA, "Resource", "Arguments", "TimeoutSeconds", "HeartbeatSeconds", "Retry", "Catch"]),
  Pass: new Set([...COMMON, ...FLOW, ...DATA]),
  Choice: new Set([...COMMON, ...DATA, "Choices", "Default"]),
  Wait: new Set([...COMMON, ...FLOW, ...DATA, "Seconds", "Timestamp"]),
  Succeed: new Set([...COMMON, "Output"]),
  Fail: new Set([...COMMON, "Error", "Cause"]),
  Parallel: new Set([...COMMON, ...FLOW, ...DATA, "Branches", "Arguments", "Retry", "Catch"]),
  Map: new Set([
    ...COMMON,
    ...FLOW,
    ...DATA,
    "ItemProcessor",
    "Items",
    "ItemSelector",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "Retry",
    "Catch",
    "Label",
  ]),
};

/** JSONPath-only fields and what a JSONata state uses instead (AWS "Converting from JSONPath to JSONata"). */
export const JSONPATH_FIELDS: Readonly<Record<string, string>> = {
  InputPath: "use $states.input in 'Arguments'/'Output' expressions",
  OutputPath: "use 'Output'",
  Parameters: "use 'Arguments' (or 'ItemSelector' in a Map state)",
  ResultPath: "use 'Output' with $states.result (or 'Assign')",
  ResultSelector: "use 'Output' with $states.result",
  Result: "use 'Output'",
  ItemsPath: "use 'Items'",
  MaxConcurrencyPath: "use 'MaxConcurrency' with a JSONata expression",
  TimeoutSecondsPath: "use 'TimeoutSeconds' with a JSONata expression",
  HeartbeatSecondsPath: "use 'HeartbeatSeconds' with a JSONata expression",
  SecondsPath: "use 'Seconds' with a JSONata expression",
  TimestampPath: "use 'Timestamp' with a JSONata expression",
  ToleratedFailureCountPath: "use 'ToleratedFailureCount' with a JSONata expression",
  ToleratedFailurePercentagePath: "use 'ToleratedFailurePercentage' with a JSONata expression",
  ErrorPath: "use 'Error' with a JSONata expression",
  CausePath: "use 'Cause' with a JSONata expression",
  Iterator: "use 'ItemProcessor'",
};

/** Fields of features Freshet's local runtime does not have; named so they fail at creation, not at run time. */
export const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  ItemReader: "Distributed Map's ItemReader is not supported by the local runtime (inline Map only)",
  ResultWriter: "Distributed Map's ResultWriter is not supported by the local runtime (inline Map only)",
  ItemBatcher: "Distributed Map's ItemBatcher is not supported by the local runtime (inline Map only)",
  Credentials: "cross-account task Credentials are not supported by the local runtime",
};

export const CHOICE_RULE_FIELDS: ReadonlySet<string> = new Set(["Condition", "Next", "Output", "Assign", "Comment"]);
export const RETRIER_FIELDS: ReadonlySet<string> = new Set([
  "ErrorEquals",
  "IntervalSeconds",
  "MaxAttempts",
  "BackoffRate",
  "MaxDelaySeconds",
  "JitterStrategy",
  "Comment",
]);
export const CATCHER_FIELDS: ReadonlySet<string> = new Set(["ErrorEquals", "Next", "Output", "Assign", "Comment"]);
export const MACHINE_FIELDS: ReadonlySet<string> = new Set(["Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"]);
export const BRANCH_FIELDS: ReadonlySet<string> = new Set(["Comment", "StartAt", "States"]);
export const PROCESSOR_FIELDS: ReadonlySet<string> = new Set(["Comment", "StartAt", "States", "ProcessorConfig"]);

/** AWS's upper bound for counts and seconds in ASL (99999999). */
export const MAX_ASL_INTEGER = 99_999_999;
/** AWS caps `MaxDelaySeconds` at one year and a day. */
export const MAX_DELAY_SECONDS = 31_622_400;

/** Workflow variable names (AWS "Passing data between states with variables": name syntax, 80 characters, `states` reserved). */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_VARIABLE_NAME_LENGTH = 80;
