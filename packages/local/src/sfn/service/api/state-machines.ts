import { randomUUID } from "node:crypto";
import { checkName, executionNamesOf, stateMachineArn, stateMachineNameOf } from "../arns.ts";
import { executionDoesNotExist, SfnApiError, stateMachineDoesNotExist, validationError } from "../errors.ts";
import type { LoggingConfiguration, StateMachineRecord } from "../records.ts";
import { epochSeconds, type SfnContext } from "./context.ts";
import { checkDefinition, codeOf, definitionIssues, issueLocation, messageOf } from "./definition.ts";
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  requireString,
  type JsonObject,
} from "./input.ts";
import { decodeToken, encodeToken, pageSize } from "./paging.ts";

const LOG_LEVELS = ["ALL", "ERROR", "FATAL", "OFF"] as const;
const DEFAULT_LOGGING: LoggingConfiguration = { level: "OFF", includeExecutionData: false };

export async function createStateMachine(ctx: SfnContext, input: JsonObject): Promise<object> {
  const name = requireString(input, "name", 80);
  checkName(name);
  const definition = requireString(input, "definition", 1_048_576);
  const roleArn = requireString(input, "roleArn", 256);
  const type = optionalEnum(input, "type", ["STANDARD", "EXPRESS"]) ?? "STANDARD";
  if (type === "EXPRESS") {
    throw new SfnApiError("StateMachineTypeNotSupported", "The local Step Functions runtime runs STANDARD state machines only");
  }
  if (optionalBoolean(input, "publish")) throw validationError("Publishing versions is not supported by the local Step Functions runtime");
  const loggingConfiguration = loggingOf(input) ?? DEFAULT_LOGGING;
  const tracingConfiguration = tracingOf(input) ?? { enabled: false };
  const encryptionConfiguration = optionalObject(input, "encryptionConfiguration");
  await checkDefinition(definition, ctx.validate);

  const arn = stateMachineArn(ctx.account, name);
  const existing = ctx.store.stateMachines.get(name);
  if (existing) {
    // Idempotent for the same definition and settings; roleArn and tags differences are ignored, as in AWS.
    const same =
      canonical(existing.definition) === canonical(definition) &&
      JSON.stringify(existing.loggingConfiguration) === JSON.stringify(loggingConfiguration) &&
      existing.tracingConfiguration.enabled === tracingConfiguration.enabled &&
      JSON.stringify(existing.encryptionConfiguration ?? null) === JSON.stringify(encryptionConfiguration ?? null);
    if (!same || existing.status === "DELETING") {
      throw new SfnApiError("StateMachineAlreadyExists", `State Machine Already Exists: '${arn}'`);
    }
    return { stateMachineArn: arn, creationDate: epochSeconds(existing.creationDate) };
  }
  const record: StateMachineRecord = {
    name,
    arn,
    definition,
    roleArn,
    type: "STANDARD",
    creationDate: ctx.clock.now(),
    loggingConfiguration,
    tracingConfiguration,
    ...(encryptionConfiguration ? { encryptionConfiguration } : {}),
    revisionId: randomUUID(),
    status: "ACTIVE",
    tags: tagsOf(input),
  };
  ctx.store.putStateMachine(record);
  return { stateMachineArn: arn, creationDate: epochSeconds(record.creationDate) };
}

export async function updateStateMachine(ctx: SfnContext, input: JsonObject): Promise<object> {
  const record = activeMachine(ctx, requireString(input, "stateMachineArn", 256));
  const definition = optionalString(input, "definition", 1_048_576, 1);
  const roleArn = optionalString(input, "roleArn", 256, 1);
  const loggingConfiguration = loggingOf(input);
  const tracingConfiguration = tracingOf(input);
  const encryptionConfiguration = optionalObject(input, "encryptionConfiguration");
  if (!definition && !roleArn && !loggingConfiguration && !tracingConfiguration && !encryptionConfiguration) {
    throw new SfnApiError(
      "MissingRequiredParameter",
      "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified",
    );
  }
  if (optionalBoolean(input, "publish")) throw validationError("Publishing versions is not supported by the local Step Functions runtime");
  if (definition !== undefined) await checkDefinition(definition, ctx.validate);
  const updated: StateMachineRecord = {
    ...record,
    definition: definition ?? record.definition,
    roleArn: roleArn ?? record.roleArn,
    loggingConfiguration: loggingConfiguration ?? record.loggingConfiguration,
    tracingConfiguration: tracingConfiguration ?? record.tracingConfiguration,
    ...(encryptionConfiguration ? { encryptionConfiguration } : {}),
    updateDate: ctx.clock.now(),
    revisionId: randomUUID(),
  };
  ctx.store.putStateMachine(updated);
  return { updateDate: epochSeconds(updated.updateDate!), revisionId: updated.revisionId };
}

export function describeStateMachine(ctx: SfnContext, input: JsonObject): object {
  const arn = requireString(input, "stateMachineArn", 256);
  const record = ctx.store.stateMachines.get(stateMachineNameOf(ctx.account, arn));
  if (!record) throw stateMachineDoesNotExist(arn);
  return {
    stateMachineArn: record.arn,
    name: record.name,
    status: record.status,
    definition: record.definition,
    roleArn: record.roleArn,
    type: record.type,
    creationDate: epochSeconds(record.creationDate),
    loggingConfiguration: record.loggingConfiguration,
    tracingConfiguration: record.tracingConfiguration,
    encryptionConfiguration: record.encryptionConfiguration ?? { type: "AWS_OWNED_KEY" },
    revisionId: record.revisionId,
    ...(record.description ? { description: record.description } : {}),
  };
}

/** The state machine an execution ran, with the definition it started with. */
export function describeStateMachineForExecution(ctx: SfnContext, input: JsonObject): object {
  const arn = requireString(input, "executionArn", 256);
  executionNamesOf(ctx.account, arn);
  const execution = ctx.store.executions.get(arn);
  if (!execution) throw executionDoesNotExist(arn);
  const machine = ctx.store.stateMachines.get(execution.stateMachineName);
  return {
    stateMachineArn: execution.stateMachineArn,
    name: execution.stateMachineName,
    definition: execution.definition,
    roleArn: execution.roleArn,
    updateDate: epochSeconds(machine?.updateDate ?? machine?.creationDate ?? execution.startDate),
    loggingConfiguration: machine?.loggingConfiguration ?? DEFAULT_LOGGING,
    tracingConfiguration: machine?.tracingConfiguration ?? { enabled: false },
  };
}

export function listStateMachines(ctx: SfnContext, input: JsonObject): object {
  const size = pageSize(optionalInteger(input, "maxResults", 0, 1000));
  const after = decodeToken<string>("state-machines", optionalString(input, "nextToken", 1024, 1));
  const all = [...ctx.store.stateMachines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rest = after === undefined ? all : all.filter((m) => m.name > after);
  const page = rest.slice(0, size);
  return {
    stateMachines: page.map((m) => ({
      stateMachineArn: m.arn,
      name: m.name,
      type: m.type,
      creationDate: epochSeconds(m.creationDate),
    })),
    ...(rest.length > size ? { nextToken: encodeToken("state-machines", page[page.length - 1]!.name) } : {}),
  };
}

/**
 * DeleteStateMachine: gone at once when idle; with executions running it is DELETING (no new
 * executions) until the last one ends, as in AWS. Deleting an unknown state machine succeeds.
 */
export function deleteStateMachine(ctx: SfnContext, input: JsonObject): object {
  const arn = requireString(input, "stateMachineArn", 256);
  const name = stateMachineNameOf(ctx.account, arn);
  const record = ctx.store.stateMachines.get(name);
  if (!record) return {};
  const busy = [...ctx.store.executions.values()].some((e) => e.stateMachineName === name && e.status === "RUNNING");
  if (busy) ctx.store.putStateMachine({ ...record, status: "DELETING" });
  else ctx.store.deleteStateMachine(name);
  return {};
}

export async function validateStateMachineDefinition(ctx: SfnContext, input: JsonObject): Promise<object> {
  const definition = requireString(input, "definition", 1_048_576);
  const type = optionalEnum(input, "type", ["STANDARD", "EXPRESS"]) ?? "STANDARD";
  const { issues } = await definitionIssues(definition, ctx.validate);
  const diagnostics = issues.map((issue) => ({
    severity: "ERROR",
    code: codeOf(issue),
    message: messageOf(issue),
    ...(issueLocation(issue) ? { location: issueLocation(issue) } : {}),
  }));
  if (type === "EXPRESS") {
    diagnostics.push({ severity: "ERROR", code: "SCHEMA_VALIDATION_FAILED", message: "The local runtime runs STANDARD state machines only" });
  }
  return { result: diagnostics.length === 0 ? "OK" : "FAIL", diagnostics, truncated: false };
}

export function tagResource(ctx: SfnContext, input: JsonObject): object {
  const record = taggable(ctx, input);
  ctx.store.putStateMachine({ ...record, tags: { ...record.tags, ...tagsOf(input) } });
  return {};
}

export function untagResource(ctx: SfnContext, input: JsonObject): object {
  const record = taggable(ctx, input);
  const keys = Array.isArray(input.tagKeys) ? (input.tagKeys as unknown[]) : [];
  ctx.store.putStateMachine({ ...record, tags: Object.fromEntries(Object.entries(record.tags).filter(([k]) => !keys.includes(k))) });
  return {};
}

export function listTagsForResource(ctx: SfnContext, input: JsonObject): object {
  const record = taggable(ctx, input);
  return { tags: Object.entries(record.tags).map(([key, value]) => ({ key, value })) };
}

function taggable(ctx: SfnContext, input: JsonObject): StateMachineRecord {
  const arn = requireString(input, "resourceArn", 256);
  const record = ctx.store.stateMachines.get(stateMachineNameOf(ctx.account, arn));
  if (!record) throw new SfnApiError("ResourceNotFound", `Resource not found: '${arn}'`);
  return record;
}

function activeMachine(ctx: SfnContext, arn: string): StateMachineRecord {
  const record = ctx.store.stateMachines.get(stateMachineNameOf(ctx.account, arn));
  if (!record) throw stateMachineDoesNotExist(arn);
  if (record.status === "DELETING") throw new SfnApiError("StateMachineDeleting", `State Machine is being deleted: '${arn}'`);
  return record;
}

function loggingOf(input: JsonObject): LoggingConfiguration | undefined {
  const config = optionalObject(input, "loggingConfiguration");
  if (!config) return undefined;
  const level = optionalEnum(config, "level", LOG_LEVELS) ?? "OFF";
  const includeExecutionData = optionalBoolean(config, "includeExecutionData") ?? false;
  const destinations = Array.isArray(config.destinations) ? (config.destinations as unknown[]) : [];
  if (level !== "OFF" && destinations.length !== 1) {
    throw new SfnApiError("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination.");
  }
  return { level, includeExecutionData, ...(destinations.length > 0 ? { destinations } : {}) };
}

function tracingOf(input: JsonObject): { enabled: boolean } | undefined {
  const config = optionalObject(input, "tracingConfiguration");
  return config ? { enabled: optionalBoolean(config, "enabled") ?? false } : undefined;
}

function tagsOf(input: JsonObject): Record<string, string> {
  const tags = Array.isArray(input.tags) ? (input.tags as { key?: unknown; value?: unknown }[]) : [];
  return Object.fromEntries(tags.filter((t) => typeof t.key === "string").map((t) => [t.key as string, String(t.value ?? "")]));
}

/** Definitions compared as JSON, so whitespace and key layout do not break idempotency. */
function canonical(definition: string): string {
  try {
    return JSON.stringify(JSON.parse(definition));
  } catch {
    return definition;
  }
}
