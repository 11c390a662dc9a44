import { EventBridgeApiError, validation } from "./errors.ts";
import { optionalInteger, optionalString, Violations, type JsonObject } from "./request-fields.ts";
import { busArn, busNameOf, DEFAULT_BUS, page, requireBus, type BusRecord, type EventBridgeContext } from "./state.ts";

const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;

export function createEventBus(ctx: EventBridgeContext, input: JsonObject): object {
  const name = optionalString(input, "Name");
  const description = optionalString(input, "Description");
  new Violations()
    .required(name, "name")
    .name(name, "name", 256, BUS_NAME, "[/\\.\\-_A-Za-z0-9]+")
    .throwIfAny();
  const busName = name!;
  if (busName === DEFAULT_BUS || ctx.state.buses.some((b) => b.name === busName)) {
    throw new EventBridgeApiError("ResourceAlreadyExistsException", `Event bus ${busName} already exists.`);
  }
  if (busName.startsWith("aws.")) throw validation("Event bus name must not start with 'aws.'.");
  const now = ctx.clock.now();
  ctx.state.buses.push({ name: busName, description, createdAt: now, modifiedAt: now });
  ctx.save();
  return { EventBusArn: busArn(ctx, busName), ...(description === undefined ? {} : { Description: description }) };
}

export function describeEventBus(ctx: EventBridgeContext, input: JsonObject): object {
  const name = busNameOf(optionalString(input, "Name"));
  requireBus(ctx, name);
  return busSummary(ctx, name);
}

export function listEventBuses(ctx: EventBridgeContext, input: JsonObject): object {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const limit = optionalInteger(input, "Limit");
  new Violations().check(limit === undefined || (limit >= 1 && limit <= 100), "limit", "be between 1 and 100", limit).throwIfAny();
  const names = [DEFAULT_BUS, ...ctx.state.buses.map((b) => b.name)].filter((n) => n.startsWith(prefix)).sort();
  const { items, nextToken } = page(names, (n) => n, limit, optionalString(input, "NextToken"));
  return { EventBuses: items.map((n) => busSummary(ctx, n)), ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function deleteEventBus(ctx: EventBridgeContext, input: JsonObject): object {
  const name = busNameOf(optionalString(input, "Name"));
  if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
  requireBus(ctx, name);
  ctx.state.buses = ctx.state.buses.filter((b) => b.name !== name);
  for (const rule of ctx.state.rules.filter((r) => r.busName === name)) ctx.ruleChanged(rule, true);
  ctx.state.rules = ctx.state.rules.filter((r) => r.busName !== name);
  ctx.save();
  return {};
}

function busSummary(ctx: EventBridgeContext, name: string): object {
  const bus: BusRecord | undefined = ctx.state.buses.find((b) => b.name === name);
  const base = { Name: name, Arn: busArn(ctx, name) };
  if (!bus) return base;
  return {
    ...base,
    ...(bus.description === undefined ? {} : { Description: bus.description }),
    CreationTime: bus.createdAt / 1000,
    LastModifiedTime: bus.modifiedAt / 1000,
  };
}
