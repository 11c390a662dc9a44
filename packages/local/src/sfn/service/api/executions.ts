import { randomUUID } from "node:crypto";
import type { ExecutionStatus } from "../../interpreter/contract.ts";
import { checkName, executionArn, executionNamesOf, stateMachineNameOf } from "../arns.ts";
import { executionDoesNotExist, SfnApiError, stateMachineDoesNotExist, validationError } from "../errors.ts";
import type { ExecutionRecord } from "../records.ts";
import { epochSeconds, type SfnContext } from "./context.ts";
import {
  byteLength,
  optionalEnum,
  optionalInteger,
  optionalString,
  PAYLOAD_LIMIT_BYTES,
  requireString,
  type JsonObject,
} from "./input.ts";
import { decodeToken, encodeToken, pageSize } from "./paging.ts";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"] as const;

/**
 * StartExecution. Names are idempotent as in AWS for STANDARD workflows: the same name and
 * input while that execution runs return it again; any other reuse is `ExecutionAlreadyExists`.
 */
export function startExecution(ctx: SfnContext, input: JsonObject): object {
  const machineArn = requireString(input, "stateMachineArn", 256);
  const machine = ctx.store.stateMachines.get(stateMachineNameOf(ctx.account, machineArn));
  if (!machine) throw stateMachineDoesNotExist(machineArn);
  if (machine.status === "DELETING") throw new SfnApiError("StateMachineDeleting", `State Machine is being deleted: '${machineArn}'`);
  const name = optionalString(input, "name", 80, 1) ?? randomUUID();
  checkName(name);
  const text = optionalString(input, "input", PAYLOAD_LIMIT_BYTES) ?? "{}";
  if (byteLength(text) > PAYLOAD_LIMIT_BYTES) {
    throw validationError(`1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${PAYLOAD_LIMIT_BYTES}`);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new SfnApiError("InvalidExecutionInput", `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
  const traceHeader = optionalString(input, "traceHeader", 256);
  const arn = executionArn(ctx.account, machine.name, name);
  const existing = ctx.store.executions.get(arn);
  if (existing) {
    if (existing.status === "RUNNING" && existing.input === text) {
      return { executionArn: arn, startDate: epochSeconds(existing.startDate) };
    }
    throw new SfnApiError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
  }
  const record: ExecutionRecord = {
    arn,
    stateMachineArn: machine.arn,
    stateMachineName: machine.name,
    name,
    status: "RUNNING",
    startDate: ctx.clock.now(),
    input: text,
    definition: machine.definition,
    roleArn: machine.roleArn,
    ...(traceHeader ? { traceHeader } : {}),
  };
  ctx.store.putExecution(record);
  ctx.runner.start(record);
  return { executionArn: arn, startDate: epochSeconds(record.startDate) };
}

export function describeExecution(ctx: SfnContext, input: JsonObject): object {
  const record = executionOf(ctx, input);
  const withData = (optionalEnum(input, "includedData", ["ALL_DATA", "METADATA_ONLY"]) ?? "ALL_DATA") === "ALL_DATA";
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    ...(record.stopDate !== undefined ? { stopDate: epochSeconds(record.stopDate) } : {}),
    ...(withData ? { input: record.input } : {}),
    inputDetails: { included: withData },
    ...(record.output !== undefined ? { ...(withData ? { output: record.output } : {}), outputDetails: { included: withData } } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    ...(record.traceHeader ? { traceHeader: record.traceHeader } : {}),
    redriveCount: 0,
  };
}

/** ListExecutions: newest first, optionally one status, paged by the position of the last item. */
export function listExecutions(ctx: SfnContext, input: JsonObject): object {
  if (input.mapRunArn !== undefined) throw validationError("Map Runs (distributed Map) are not supported by the local runtime");
  const machineArn = requireString(input, "stateMachineArn", 256);
  const machineName = stateMachineNameOf(ctx.account, machineArn);
  if (!ctx.store.stateMachines.has(machineName)) throw stateMachineDoesNotExist(machineArn);
  const status = optionalEnum(input, "statusFilter", STATUSES);
  const size = pageSize(optionalInteger(input, "maxResults", 0, 1000));
  const scope = `executions ${machineArn} ${status ?? ""}`;
  const after = decodeToken<[number, string]>(scope, optionalString(input, "nextToken", 3096, 1));
  const all = [...ctx.store.executions.values()]
    .filter((e) => e.stateMachineName === machineName && (status === undefined || e.status === (status as ExecutionStatus)))
    .sort(newestFirst);
  const rest = after === undefined ? all : all.filter((e) => newestFirst(e, { startDate: after[0], name: after[1] }) > 0);
  const page = rest.slice(0, size);
  const last = page[page.length - 1];
  return {
    executions: page.map((e) => ({
      executionArn: e.arn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: epochSeconds(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: epochSeconds(e.stopDate) } : {}),
    })),
    ...(rest.length > size && last ? { nextToken: encodeToken(scope, [last.startDate, last.name]) } : {}),
  };
}

/** StopExecution: a running execution is ABORTED now; a finished one is left as it is. */
export function stopExecution(ctx: SfnContext, input: JsonObject): object {
  const record = executionOf(ctx, input);
  const error = optionalString(input, "error", 256);
  const cause = optionalString(input, "cause", 32_768);
  if (record.status !== "RUNNING") return { stopDate: epochSeconds(record.stopDate ?? ctx.clock.now()) };
  const stopped = ctx.runner.stop(record.arn, error, cause);
  return { stopDate: epochSeconds(stopped.stopDate!) };
}

export function executionOf(ctx: SfnContext, input: JsonObject): ExecutionRecord {
  const arn = requireString(input, "executionArn", 256);
  executionNamesOf(ctx.account, arn);
  const record = ctx.store.executions.get(arn);
  if (!record) throw executionDoesNotExist(arn);
  return record;
}

function newestFirst(a: { startDate: number; name: string }, b: { startDate: number; name: string }): number {
  return b.startDate - a.startDate || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
