import type { ContextObject } from "../../interpreter/contract.ts";
import { TaskFailure } from "../../interpreter/contract.ts";
import { SdkPackageMissingError } from "../errors.ts";
import { optimizedFailure, runtimeFailure } from "./failures.ts";
import type { SdkClients } from "./sdk-clients.ts";
import { metadataOf, withoutMetadata } from "./sdk-metadata.ts";
import { SDK_SERVICES } from "./sdk-services.ts";

type CommandClass = new (input: unknown) => object;

const PUBLISH_FIELDS = [
  "Message", "MessageAttributes", "MessageStructure", "MessageDeduplicationId", "MessageGroupId",
  "PhoneNumber", "Subject", "TargetArn", "TopicArn",
];
const START_EXECUTION_FIELDS: Readonly<Record<string, string>> = {
  StateMachineArn: "stateMachineArn",
  Input: "input",
  Name: "name",
  TraceHeader: "traceHeader",
};

/** `arn:aws:states:::sns:publish`: a JSON `Message` is sent as its text, as AWS does. */
export async function snsPublish(clients: SdkClients, args: unknown, stateName: string, signal: AbortSignal): Promise<unknown> {
  const fields = objectArguments(args, stateName, "sns:publish");
  onlyFields(fields, PUBLISH_FIELDS, stateName, "sns:publish");
  const input = { ...fields };
  if (input.Message !== undefined && typeof input.Message !== "string") input.Message = JSON.stringify(input.Message);
  const output = await send(clients, "sns", "PublishCommand", input, stateName, signal, ["SNS", "AmazonSNS"]);
  return { ...withoutMetadata(output), ...metadataOf(output) };
}

/**
 * `arn:aws:states:::events:putEvents`: object `Detail`s are sent as JSON text, the state machine
 * and execution ARNs are appended to each entry's `Resources`, and any failed entry fails the
 * task with `EventBridge.FailedEntry` (cause: the whole answer), as AWS documents.
 */
export async function eventsPutEvents(
  clients: SdkClients,
  args: unknown,
  context: ContextObject,
  stateName: string,
  signal: AbortSignal,
): Promise<unknown> {
  const fields = objectArguments(args, stateName, "events:putEvents");
  onlyFields(fields, ["Entries"], stateName, "events:putEvents");
  if (!Array.isArray(fields.Entries)) throw runtimeFailure(stateName, "events:putEvents needs an Entries array.");
  const entries = fields.Entries.map((entry: unknown) => {
    const e = { ...(entry as Record<string, unknown>) };
    if (e.Detail !== undefined && typeof e.Detail !== "string") e.Detail = JSON.stringify(e.Detail);
    const resources = Array.isArray(e.Resources) ? [...(e.Resources as unknown[])] : [];
    e.Resources = [...resources, context.StateMachine.Id, context.Execution.Id];
    return e;
  });
  const output = await send(clients, "eventbridge", "PutEventsCommand", { Entries: entries }, stateName, signal, [
    "EventBridge",
    "AmazonEventBridge",
  ]);
  const result = withoutMetadata(output);
  if (typeof result.FailedEntryCount === "number" && result.FailedEntryCount > 0) {
    throw new TaskFailure("EventBridge.FailedEntry", JSON.stringify(result));
  }
  return result;
}

/**
 * `arn:aws:states:::states:startExecution`: starts another execution (through the Step
 * Functions API, so locally through this very service). A JSON `Input` is sent as its text;
 * `StartDate` comes back in epoch milliseconds as AWS's integration reports it.
 */
export async function statesStartExecution(clients: SdkClients, args: unknown, stateName: string, signal: AbortSignal): Promise<unknown> {
  const fields = objectArguments(args, stateName, "states:startExecution");
  onlyFields(fields, Object.keys(START_EXECUTION_FIELDS), stateName, "states:startExecution");
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) input[START_EXECUTION_FIELDS[key]!] = value;
  if (typeof input.input !== "string") input.input = JSON.stringify(input.input ?? {});
  const output = await send(clients, "sfn", "StartExecutionCommand", input, stateName, signal, ["StepFunctions", "AWSStepFunctions"]);
  const startDate = output.startDate instanceof Date ? output.startDate.getTime() : output.startDate;
  return { ExecutionArn: output.executionArn, StartDate: startDate, ...metadataOf(output) };
}

function objectArguments(args: unknown, stateName: string, integration: string): Record<string, unknown> {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw runtimeFailure(stateName, `The arguments of ${integration} must be an object.`);
  }
  return args as Record<string, unknown>;
}

function onlyFields(fields: Record<string, unknown>, allowed: readonly string[], stateName: string, integration: string): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) throw runtimeFailure(stateName, `The field '${key}' is not supported by Step Functions for ${integration}.`);
  }
}

async function send(
  clients: SdkClients,
  serviceId: string,
  commandName: string,
  input: unknown,
  stateName: string,
  signal: AbortSignal,
  [errorPrefix, serviceName]: [string, string],
): Promise<Record<string, unknown>> {
  const service = SDK_SERVICES[serviceId]!;
  let loaded;
  try {
    loaded = await clients.get(service);
  } catch (error) {
    if (error instanceof SdkPackageMissingError) throw runtimeFailure(stateName, error.message);
    throw error;
  }
  const Command = loaded.module[commandName] as CommandClass;
  try {
    return await loaded.client.send(new Command(input), { abortSignal: signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw optimizedFailure(errorPrefix, serviceName, error);
  }
}
