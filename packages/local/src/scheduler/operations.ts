import { InvalidScheduleExpressionError, isTimeZone, parseScheduleExpression } from "@freshet/eventbridge";
import type { TimerClock } from "../eventbridge/clock.ts";
import { conflict, notFound, SchedulerApiError, validation } from "./errors.ts";
import { DEFAULT_GROUP, type ScheduleRecord, type ScheduleTarget, type SchedulerState } from "./state.ts";

export type JsonObject = Record<string, unknown>;

export interface SchedulerContext {
  readonly region: string;
  readonly accountId: string;
  readonly clock: TimerClock;
  readonly state: SchedulerState;
  /** Accept the local-only `rate(N seconds)` (see `parseScheduleExpression`). */
  readonly allowSecondRates: boolean;
  save(): void;
  /** A schedule was created, changed or deleted: re-arm its timer. */
  scheduleChanged(schedule: ScheduleRecord, deleted?: boolean): void;
}

/** What a REST operation is given: the `{Name}` of its path, its query and its JSON body. */
export interface SchedulerCall {
  readonly name?: string;
  readonly query: URLSearchParams;
  readonly body: JsonObject;
}

const NAME = /^[0-9a-zA-Z\-_.]+$/;

export function scheduleArn(ctx: SchedulerContext, s: { groupName: string; name: string }): string {
  return `arn:aws:scheduler:${ctx.region}:${ctx.accountId}:schedule/${s.groupName}/${s.name}`;
}

export function groupArn(ctx: SchedulerContext, name: string): string {
  return `arn:aws:scheduler:${ctx.region}:${ctx.accountId}:schedule-group/${name}`;
}

export function createSchedule(ctx: SchedulerContext, call: SchedulerCall): object {
  const name = checkName(call.name, "name");
  const groupName = groupOf(call.body.GroupName);
  requireGroup(ctx, groupName);
  const fields = scheduleFields(call.body, ctx.allowSecondRates);
  if (ctx.state.schedules.some((s) => s.groupName === groupName && s.name === name)) {
    throw conflict(`Schedule ${name} already exists.`);
  }
  const now = ctx.clock.now();
  const schedule: ScheduleRecord = { name, groupName, ...fields, createdAt: now, modifiedAt: now };
  ctx.state.schedules.push(schedule);
  ctx.save();
  ctx.scheduleChanged(schedule);
  return { ScheduleArn: scheduleArn(ctx, schedule) };
}

/** UpdateSchedule replaces every setting, as AWS's does (members left out return to their defaults). */
export function updateSchedule(ctx: SchedulerContext, call: SchedulerCall): object {
  const name = checkName(call.name, "name");
  const groupName = groupOf(call.body.GroupName);
  const fields = scheduleFields(call.body, ctx.allowSecondRates);
  const schedule = requireSchedule(ctx, groupName, name);
  Object.assign(schedule, { description: undefined, timezone: undefined, startDate: undefined, endDate: undefined, kmsKeyArn: undefined }, fields, {
    modifiedAt: ctx.clock.now(),
  });
  ctx.save();
  ctx.scheduleChanged(schedule);
  return { ScheduleArn: scheduleArn(ctx, schedule) };
}

export function getSchedule(ctx: SchedulerContext, call: SchedulerCall): object {
  const schedule = requireSchedule(ctx, groupOf(call.query.get("groupName")), checkName(call.name, "name"));
  return {
    Arn: scheduleArn(ctx, schedule),
    GroupName: schedule.groupName,
    Name: schedule.name,
    ScheduleExpression: schedule.scheduleExpression,
    ...(schedule.startDate === undefined ? {} : { StartDate: schedule.startDate / 1000 }),
    ...(schedule.endDate === undefined ? {} : { EndDate: schedule.endDate / 1000 }),
    ...(schedule.description === undefined ? {} : { Description: schedule.description }),
    ScheduleExpressionTimezone: schedule.timezone ?? "UTC",
    State: schedule.state,
    CreationDate: schedule.createdAt / 1000,
    LastModificationDate: schedule.modifiedAt / 1000,
    ...(schedule.kmsKeyArn === undefined ? {} : { KmsKeyArn: schedule.kmsKeyArn }),
    Target: schedule.target,
    FlexibleTimeWindow: schedule.flexibleTimeWindow,
    ActionAfterCompletion: schedule.actionAfterCompletion,
  };
}

export function deleteSchedule(ctx: SchedulerContext, call: SchedulerCall): object {
  const schedule = requireSchedule(ctx, groupOf(call.query.get("groupName")), checkName(call.name, "name"));
  removeSchedule(ctx, schedule);
  return {};
}

export function removeSchedule(ctx: SchedulerContext, schedule: ScheduleRecord): void {
  ctx.state.schedules = ctx.state.schedules.filter((s) => s !== schedule);
  ctx.save();
  ctx.scheduleChanged(schedule, true);
}

export function listSchedules(ctx: SchedulerContext, call: SchedulerCall): object {
  const group = call.query.get("ScheduleGroup") ?? undefined;
  const prefix = call.query.get("NamePrefix") ?? "";
  const state = call.query.get("State") ?? undefined;
  const max = maxResults(call.query.get("MaxResults"));
  if (state !== undefined && state !== "ENABLED" && state !== "DISABLED") {
    throw validation(`1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
  }
  const key = (s: ScheduleRecord) => `${s.groupName}/${s.name}`;
  const matching = ctx.state.schedules
    .filter((s) => (group === undefined || s.groupName === group) && s.name.startsWith(prefix) && (state === undefined || s.state === state))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const { items, nextToken } = page(matching, key, max, call.query.get("NextToken") ?? undefined);
  return {
    Schedules: items.map((s) => ({
      Arn: scheduleArn(ctx, s),
      Name: s.name,
      GroupName: s.groupName,
      State: s.state,
      CreationDate: s.createdAt / 1000,
      LastModificationDate: s.modifiedAt / 1000,
      Target: { Arn: s.target.Arn },
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export function createScheduleGroup(ctx: SchedulerContext, call: SchedulerCall): object {
  const name = checkName(call.name, "name");
  if (name === DEFAULT_GROUP || ctx.state.groups.some((g) => g.name === name)) throw conflict(`Schedule group ${name} already exists.`);
  ctx.state.groups.push({ name, createdAt: ctx.clock.now() });
  ctx.save();
  return { ScheduleGroupArn: groupArn(ctx, name) };
}

export function getScheduleGroup(ctx: SchedulerContext, call: SchedulerCall): object {
  const name = checkName(call.name, "name");
  requireGroup(ctx, name);
  return groupSummary(ctx, name);
}

export function deleteScheduleGroup(ctx: SchedulerContext, call: SchedulerCall): object {
  const name = checkName(call.name, "name");
  if (name === DEFAULT_GROUP) throw validation("You cannot delete the default group.");
  requireGroup(ctx, name);
  for (const schedule of ctx.state.schedules.filter((s) => s.groupName === name)) removeSchedule(ctx, schedule);
  ctx.state.groups = ctx.state.groups.filter((g) => g.name !== name);
  ctx.save();
  return {};
}

export function listScheduleGroups(ctx: SchedulerContext, call: SchedulerCall): object {
  const prefix = call.query.get("NamePrefix") ?? "";
  const names = [DEFAULT_GROUP, ...ctx.state.groups.map((g) => g.name)].filter((n) => n.startsWith(prefix)).sort();
  const { items, nextToken } = page(names, (n) => n, maxResults(call.query.get("MaxResults")), call.query.get("NextToken") ?? undefined);
  return { ScheduleGroups: items.map((n) => groupSummary(ctx, n)), ...(nextToken ? { NextToken: nextToken } : {}) };
}

function groupSummary(ctx: SchedulerContext, name: string): object {
  const created = ctx.state.groups.find((g) => g.name === name)?.createdAt ?? 0;
  return { Arn: groupArn(ctx, name), Name: name, State: "ACTIVE", CreationDate: created / 1000, LastModificationDate: created / 1000 };
}

/** The settings of CreateSchedule/UpdateSchedule, checked as AWS checks them. */
function scheduleFields(body: JsonObject, allowSeconds: boolean): Omit<ScheduleRecord, "name" | "groupName" | "createdAt" | "modifiedAt"> {
  const expression = body.ScheduleExpression;
  if (typeof expression !== "string") throw validation(missing("scheduleExpression"));
  if (expression.length > 256) throw validation(`Invalid Schedule Expression ${expression}`);
  const timezone = optional(body.ScheduleExpressionTimezone, "scheduleExpressionTimezone");
  if (timezone !== undefined && !isTimeZone(timezone)) throw validation(`Invalid ScheduleExpressionTimezone ${timezone}`);
  try {
    parseScheduleExpression(expression, { allowAt: true, allowSeconds });
  } catch (error) {
    if (error instanceof InvalidScheduleExpressionError) {
      throw new SchedulerApiError("ValidationException", 400, `Invalid Schedule Expression ${expression}`, { cause: error });
    }
    throw error;
  }
  const window = body.FlexibleTimeWindow as JsonObject | undefined;
  if (!window || typeof window !== "object") throw validation(missing("flexibleTimeWindow"));
  const mode = window.Mode;
  if (mode !== "OFF" && mode !== "FLEXIBLE") {
    throw validation(`1 validation error detected: Value '${String(mode)}' at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]`);
  }
  const minutes = window.MaximumWindowInMinutes;
  if (mode === "FLEXIBLE" && (typeof minutes !== "number" || minutes < 1 || minutes > 1440)) {
    throw validation("MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.");
  }
  if (mode === "OFF" && minutes !== undefined) throw validation("MaximumWindowInMinutes can only be specified when Mode is FLEXIBLE.");
  const target = body.Target as ScheduleTarget | undefined;
  if (!target || typeof target !== "object") throw validation(missing("target"));
  if (typeof target.Arn !== "string" || target.Arn.length === 0) throw validation(missing("target.arn"));
  if (typeof target.RoleArn !== "string" || target.RoleArn.length === 0) throw validation(missing("target.roleArn"));
  const state = body.State ?? "ENABLED";
  if (state !== "ENABLED" && state !== "DISABLED") {
    throw validation(`1 validation error detected: Value '${String(state)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
  }
  const action = body.ActionAfterCompletion ?? "NONE";
  if (action !== "NONE" && action !== "DELETE") {
    throw validation(`1 validation error detected: Value '${String(action)}' at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: [NONE, DELETE]`);
  }
  const startDate = seconds(body.StartDate, "startDate");
  const endDate = seconds(body.EndDate, "endDate");
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) throw validation("The EndDate must be after the StartDate.");
  return {
    scheduleExpression: expression,
    timezone,
    startDate,
    endDate,
    description: optional(body.Description, "description"),
    state,
    flexibleTimeWindow: { Mode: mode, ...(minutes === undefined ? {} : { MaximumWindowInMinutes: minutes as number }) },
    target: { ...target },
    actionAfterCompletion: action,
    kmsKeyArn: optional(body.KmsKeyArn, "kmsKeyArn"),
  };
}

function requireGroup(ctx: SchedulerContext, name: string): void {
  if (name !== DEFAULT_GROUP && !ctx.state.groups.some((g) => g.name === name)) throw notFound(`Schedule group ${name} does not exist.`);
}

function requireSchedule(ctx: SchedulerContext, groupName: string, name: string): ScheduleRecord {
  requireGroup(ctx, groupName);
  const schedule = ctx.state.schedules.find((s) => s.groupName === groupName && s.name === name);
  if (!schedule) throw notFound(`Schedule ${name} does not exist.`);
  return schedule;
}

function checkName(name: string | undefined, path: string): string {
  if (name === undefined || name === "") throw validation(missing(path));
  if (!NAME.test(name) || name.length > 64) {
    throw validation(
      `1 validation error detected: Value '${name}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`,
    );
  }
  return name;
}

function groupOf(value: unknown): string {
  return typeof value === "string" && value !== "" ? value : DEFAULT_GROUP;
}

function optional(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw validation(`${path} must be a string`);
  return value;
}

/** REST-JSON timestamps arrive as epoch seconds. */
function seconds(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw validation(`${path} must be a timestamp`);
  return Math.round(value * 1000);
}

function missing(path: string): string {
  return `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`;
}

function maxResults(text: string | null): number {
  if (text === null) return 100;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw validation(`1 validation error detected: Value '${text}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
  }
  return n;
}

function page<T>(items: readonly T[], key: (item: T) => string, limit: number, token: string | undefined) {
  const after = token === undefined ? undefined : Buffer.from(token, "base64url").toString("utf8");
  const rest = after === undefined ? items : items.filter((item) => key(item) > after);
  const slice = rest.slice(0, limit);
  return { items: slice, nextToken: rest.length > limit ? Buffer.from(key(slice[slice.length - 1]!)).toString("base64url") : undefined };
}
