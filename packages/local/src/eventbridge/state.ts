import type { TimerClock } from "./clock.ts";
import { notFound } from "./errors.ts";

/** A target as PutTargets stored it: AWS's own member names, returned as is by ListTargetsByRule. */
export interface TargetRecord {
  readonly Id: string;
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
  readonly [other: string]: unknown;
}

export interface RuleRecord {
  readonly name: string;
  readonly busName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
  description?: string;
  roleArn?: string;
  /** Epoch ms when the schedule expression was last set: where a `rate` counts from. */
  scheduleSince?: number;
  targets: TargetRecord[];
}

export interface BusRecord {
  readonly name: string;
  description?: string;
  readonly createdAt: number;
  modifiedAt: number;
}

export interface EventBridgeState {
  buses: BusRecord[];
  rules: RuleRecord[];
}

/** What every operation needs: the state, where it lives, and what to do when rules change. */
export interface EventBridgeContext {
  readonly region: string;
  readonly accountId: string;
  readonly clock: TimerClock;
  readonly state: EventBridgeState;
  /** Persists the state; called after every change. */
  save(): void;
  /** A rule was created, changed or deleted: re-arm its schedule. */
  ruleChanged(rule: RuleRecord, deleted?: boolean): void;
}

export const DEFAULT_BUS = "default";

export function busArn(ctx: EventBridgeContext, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${name}`;
}

export function ruleArn(ctx: EventBridgeContext, rule: { busName: string; name: string }): string {
  const path = rule.busName === DEFAULT_BUS ? rule.name : `${rule.busName}/${rule.name}`;
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${path}`;
}

/** The bus an `EventBusName` member names (a name or an event-bus ARN); default when absent. */
export function busNameOf(value: string | undefined): string {
  if (value === undefined) return DEFAULT_BUS;
  const arn = /^arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/(.+)$/.exec(value);
  return arn ? arn[1]! : value;
}

/** The default bus always exists; custom ones once created. */
export function busExists(ctx: EventBridgeContext, name: string): boolean {
  return name === DEFAULT_BUS || ctx.state.buses.some((b) => b.name === name);
}

export function requireBus(ctx: EventBridgeContext, name: string): void {
  if (!busExists(ctx, name)) throw notFound(`Event bus ${name} does not exist.`);
}

export function findRule(ctx: EventBridgeContext, busName: string, name: string): RuleRecord | undefined {
  return ctx.state.rules.find((r) => r.busName === busName && r.name === name);
}

export function requireRule(ctx: EventBridgeContext, busName: string, name: string): RuleRecord {
  requireBus(ctx, busName);
  const rule = findRule(ctx, busName, name);
  if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${busName}.`);
  return rule;
}

/** Paging for List* operations: the token is the last name returned. */
export function page<T>(items: readonly T[], key: (item: T) => string, limit: number | undefined, token: string | undefined) {
  const after = token === undefined ? undefined : Buffer.from(token, "base64url").toString("utf8");
  const rest = after === undefined ? items : items.filter((item) => key(item) > after);
  const size = limit ?? 100;
  const slice = rest.slice(0, size);
  const more = rest.length > size;
  return { items: slice, nextToken: more ? Buffer.from(key(slice[slice.length - 1]!)).toString("base64url") : undefined };
}
