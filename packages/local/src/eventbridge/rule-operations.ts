import { compileEventPattern, InvalidEventPatternError, InvalidScheduleExpressionError, parseScheduleExpression } from "@freshet/eventbridge";
import { EventBridgeApiError, validation } from "./errors.ts";
import { optionalBoolean, optionalInteger, optionalString, Violations, type JsonObject } from "./request-fields.ts";
import {
  busNameOf,
  DEFAULT_BUS,
  findRule,
  page,
  requireBus,
  requireRule,
  ruleArn,
  type EventBridgeContext,
  type RuleRecord,
} from "./state.ts";

const STATES = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"] as const;

/** PutRule: creates or replaces a rule; its targets are kept. */
export function putRule(ctx: EventBridgeContext, input: JsonObject): object {
  const name = optionalString(input, "Name");
  const eventPattern = optionalString(input, "EventPattern");
  const scheduleExpression = optionalString(input, "ScheduleExpression");
  const state = optionalString(input, "State") ?? "ENABLED";
  const description = optionalString(input, "Description");
  const roleArn = optionalString(input, "RoleArn");
  const busName = busNameOf(optionalString(input, "EventBusName"));
  new Violations()
    .required(name, "name")
    .name(name, "name", 64)
    .check(STATES.includes(state as (typeof STATES)[number]), "state", `satisfy enum value set: [${STATES.join(", ")}]`, state)
    .check(description === undefined || description.length <= 512, "description", "have length less than or equal to 512", description)
    .check(scheduleExpression === undefined || scheduleExpression.length <= 256, "scheduleExpression", "have length less than or equal to 256", scheduleExpression)
    .check(eventPattern === undefined || eventPattern.length <= 4096, "eventPattern", "have length less than or equal to 4096", eventPattern)
    .throwIfAny();
  if (eventPattern === undefined && scheduleExpression === undefined) {
    throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  requireBus(ctx, busName);
  if (scheduleExpression !== undefined) {
    if (busName !== DEFAULT_BUS) throw validation("ScheduleExpression is supported only on the default event bus.");
    try {
      parseScheduleExpression(scheduleExpression);
    } catch (error) {
      if (error instanceof InvalidScheduleExpressionError) {
        throw new EventBridgeApiError("ValidationException", "Parameter ScheduleExpression is not valid.", { cause: error });
      }
      throw error;
    }
  }
  if (eventPattern !== undefined) {
    try {
      compileEventPattern(eventPattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        throw new EventBridgeApiError("InvalidEventPatternException", error.message, { cause: error });
      }
      throw error;
    }
  }
  const existing = findRule(ctx, busName, name!);
  const rule: RuleRecord = existing ?? { name: name!, busName, state: "ENABLED", targets: [] };
  if (!existing) ctx.state.rules.push(rule);
  if (rule.scheduleExpression !== scheduleExpression || !existing) rule.scheduleSince = ctx.clock.now();
  rule.eventPattern = eventPattern;
  rule.scheduleExpression = scheduleExpression;
  rule.state = state as RuleRecord["state"];
  rule.description = description;
  rule.roleArn = roleArn;
  ctx.save();
  ctx.ruleChanged(rule);
  return { RuleArn: ruleArn(ctx, rule) };
}

export function describeRule(ctx: EventBridgeContext, input: JsonObject): object {
  const rule = requireRule(ctx, busNameOf(optionalString(input, "EventBusName")), requiredName(input, "Name"));
  return { ...ruleSummary(ctx, rule), CreatedBy: ctx.accountId };
}

export function listRules(ctx: EventBridgeContext, input: JsonObject): object {
  const busName = busNameOf(optionalString(input, "EventBusName"));
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const limit = optionalInteger(input, "Limit");
  new Violations()
    .check(limit === undefined || (limit >= 1 && limit <= 100), "limit", "have value between 1 and 100", limit)
    .throwIfAny();
  requireBus(ctx, busName);
  const rules = ctx.state.rules
    .filter((r) => r.busName === busName && r.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { items, nextToken } = page(rules, (r) => r.name, limit, optionalString(input, "NextToken"));
  return { Rules: items.map((r) => ruleSummary(ctx, r)), ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** ListRuleNamesByTarget: the rules that send to a target ARN. */
export function listRuleNamesByTarget(ctx: EventBridgeContext, input: JsonObject): object {
  const target = optionalString(input, "TargetArn");
  new Violations().required(target, "targetArn").throwIfAny();
  const busName = busNameOf(optionalString(input, "EventBusName"));
  requireBus(ctx, busName);
  const names = ctx.state.rules
    .filter((r) => r.busName === busName && r.targets.some((t) => t.Arn === target))
    .map((r) => r.name)
    .sort();
  const { items, nextToken } = page(names, (n) => n, optionalInteger(input, "Limit"), optionalString(input, "NextToken"));
  return { RuleNames: items, ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function deleteRule(ctx: EventBridgeContext, input: JsonObject): object {
  const name = requiredName(input, "Name");
  const busName = busNameOf(optionalString(input, "EventBusName"));
  optionalBoolean(input, "Force");
  requireBus(ctx, busName);
  const rule = findRule(ctx, busName, name);
  if (!rule) return {};
  if (rule.targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
  ctx.state.rules = ctx.state.rules.filter((r) => r !== rule);
  ctx.save();
  ctx.ruleChanged(rule, true);
  return {};
}

export function enableRule(ctx: EventBridgeContext, input: JsonObject): object {
  return setState(ctx, input, "ENABLED");
}

export function disableRule(ctx: EventBridgeContext, input: JsonObject): object {
  return setState(ctx, input, "DISABLED");
}

function setState(ctx: EventBridgeContext, input: JsonObject, state: RuleRecord["state"]): object {
  const rule = requireRule(ctx, busNameOf(optionalString(input, "EventBusName")), requiredName(input, "Name"));
  if (rule.state !== state) {
    rule.state = state;
    if (state === "ENABLED") rule.scheduleSince = ctx.clock.now();
    ctx.save();
    ctx.ruleChanged(rule);
  }
  return {};
}

function requiredName(input: JsonObject, key: string): string {
  const name = optionalString(input, key);
  new Violations().required(name, key.charAt(0).toLowerCase() + key.slice(1)).name(name, "name", 64).throwIfAny();
  return name!;
}

function ruleSummary(ctx: EventBridgeContext, rule: RuleRecord): object {
  return {
    Name: rule.name,
    Arn: ruleArn(ctx, rule),
    ...(rule.eventPattern === undefined ? {} : { EventPattern: rule.eventPattern }),
    ...(rule.scheduleExpression === undefined ? {} : { ScheduleExpression: rule.scheduleExpression }),
    State: rule.state,
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    ...(rule.roleArn === undefined ? {} : { RoleArn: rule.roleArn }),
    EventBusName: rule.busName,
  };
}
