import { compileEventPattern, matchesPattern, nextFireTimes, parseScheduleExpression, type CompiledEventPattern } from "@freshet/core";
import { join } from "node:path";
import { amzTarget } from "../endpoint/signing.ts";
import { serveJson, type JsonProtocol } from "../endpoint/json-protocol.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses } from "./bus-operations.ts";
import { systemClock, type TimerClock } from "./clock.ts";
import { createDeliveryEngine, type DeliveryEngine, type DeliveryLogEntry, type RetryPolicy } from "./delivery.ts";
import { eventTime, scheduledEvent, type EventEnvelope } from "./event-envelope.ts";
import { putEvents, testEventPattern } from "./events-operations.ts";
import { targetInput } from "./input-transformer.ts";
import { JsonFile } from "./json-file.ts";
import type { JsonObject } from "./request-fields.ts";
import {
  deleteRule,
  describeRule,
  disableRule,
  enableRule,
  listRuleNamesByTarget,
  listRules,
  putRule,
} from "./rule-operations.ts";
import { runSchedule, type ScheduledJob } from "./schedule-timer.ts";
import { DEFAULT_BUS, ruleArn, type EventBridgeContext, type EventBridgeState, type RuleRecord } from "./state.ts";
import { listTargetsByRule, putTargets, removeTargets } from "./target-operations.ts";
import type { LocalFunctions } from "./target-kinds.ts";

export interface EventBridgeServiceOptions {
  /** Rules, targets and buses live in `<dataDir>/eventbridge/` and survive a restart. */
  readonly dataDir: string;
  /** The endpoint targets are called through (a getter: the endpoint starts after its services). */
  readonly endpointUrl: () => string;
  readonly region?: string;
  readonly accountId?: string;
  /** Real timers by default; tests pass a `TestClock`. */
  readonly clock?: TimerClock;
  /** The local function registry Lambda targets are looked up in (by function name). */
  readonly functions?: LocalFunctions;
  readonly retry?: Partial<RetryPolicy>;
  readonly log?: (entry: DeliveryLogEntry) => void;
  /** A delivery engine shared with the Scheduler service; by default the service makes its own. */
  readonly delivery?: DeliveryEngine;
}

/** The EventBridge API on the embedded endpoint, plus the hooks the platform feeds it through. */
export interface EventBridgeService extends EndpointService {
  readonly name: "events";
  /** Delivers an event AWS itself would put on a bus (S3 notifications, …) to that bus's rules. */
  putEventInternal(event: EventEnvelope, busName?: string): void;
  /** Resolves when every delivery under way is delivered, given up or waiting for a retry. */
  idle(): Promise<void>;
  readonly delivery: DeliveryEngine;
  close(): Promise<void>;
}

type Operation = (ctx: EventBridgeContext, input: JsonObject) => object;

/**
 * Creates the embedded EventBridge (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`): buses, rules
 * with event patterns or schedules, targets, PutEvents and TestEventPattern. Matching events and
 * firing schedules go to the rules' targets through the delivery engine.
 */
export function createEventBridgeService(options: EventBridgeServiceOptions): EventBridgeService {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const clock = options.clock ?? systemClock;
  const file = new JsonFile<EventBridgeState>(join(options.dataDir, "eventbridge", "state.json"));
  const state = file.load({ buses: [], rules: [] });
  const delivery =
    options.delivery ??
    createDeliveryEngine({
      endpointUrl: options.endpointUrl,
      region,
      accountId,
      clock,
      functions: options.functions,
      retry: options.retry,
      log: options.log,
      deadLetterFile: join(options.dataDir, "eventbridge", "failed-deliveries.jsonl"),
    });
  const schedules = new Map<RuleRecord, ScheduledJob>();
  const patterns = new Map<string, CompiledEventPattern>();
  let closed = false;

  const ctx: EventBridgeContext = {
    region,
    accountId,
    clock,
    state,
    save: () => file.save(state),
    ruleChanged: (rule, deleted) => armSchedule(rule, deleted),
  };

  const sendToTargets = (rule: RuleRecord, event: EventEnvelope) => {
    const arn = ruleArn(ctx, rule);
    const context = { ruleArn: arn, ruleName: rule.name, ingestionTime: eventTime(clock.now()) };
    for (const target of rule.targets) {
      void delivery.send({
        source: arn,
        arn: target.Arn,
        roleArn: target.RoleArn,
        input: targetInput(target, event, context),
        event,
      });
    }
  };

  const publish = (busName: string, event: EventEnvelope) => {
    if (closed) return;
    for (const rule of state.rules) {
      if (rule.busName !== busName || rule.state === "DISABLED" || rule.eventPattern === undefined) continue;
      let compiled = patterns.get(rule.eventPattern);
      if (!compiled) {
        compiled = compileEventPattern(rule.eventPattern);
        patterns.set(rule.eventPattern, compiled);
      }
      if (matchesPattern(compiled, event)) sendToTargets(rule, event);
    }
  };

  function armSchedule(rule: RuleRecord, deleted = false): void {
    schedules.get(rule)?.stop();
    schedules.delete(rule);
    if (deleted || closed || rule.scheduleExpression === undefined || rule.state === "DISABLED") return;
    const schedule = parseScheduleExpression(rule.scheduleExpression);
    const anchor = new Date(rule.scheduleSince ?? clock.now());
    const next = (after: number) => nextFireTimes(schedule, new Date(after), 1, { anchor })[0]?.getTime();
    schedules.set(
      rule,
      runSchedule(clock, next, (at) => sendToTargets(rule, scheduledEvent(ruleArn(ctx, rule), at, accountId, region))),
    );
  }

  for (const rule of state.rules) armSchedule(rule);

  const OPERATIONS: Readonly<Record<string, Operation>> = {
    PutEvents: (c, input) => putEvents(c, input, publish),
    TestEventPattern: testEventPattern,
    PutRule: putRule,
    DescribeRule: describeRule,
    ListRules: listRules,
    ListRuleNamesByTarget: listRuleNamesByTarget,
    DeleteRule: deleteRule,
    EnableRule: enableRule,
    DisableRule: disableRule,
    PutTargets: putTargets,
    ListTargetsByRule: listTargetsByRule,
    RemoveTargets: removeTargets,
    CreateEventBus: createEventBus,
    DescribeEventBus: describeEventBus,
    ListEventBuses: listEventBuses,
    DeleteEventBus: deleteEventBus,
  };
  const protocol: JsonProtocol<EventBridgeContext> = {
    contentType: "application/x-amz-json-1.1",
    operations: OPERATIONS,
    unknownOperation: (name) => `Unknown operation ${name}`,
    unavailable: { type: "ServiceUnavailable", message: "The EventBridge service is shut down" },
  };

  return {
    name: "events",
    delivery,
    matches: (req) => amzTarget(req)?.prefix === "AWSEvents",
    handle(req: EndpointRequest): Promise<EndpointResponse> {
      return serveJson(protocol, ctx, amzTarget(req)?.operation ?? "", req, closed);
    },
    putEventInternal(event, busName = DEFAULT_BUS) {
      publish(busName, event);
    },
    idle: () => delivery.idle(),
    async close() {
      if (closed) return;
      closed = true;
      for (const job of schedules.values()) job.stop();
      schedules.clear();
      if (!options.delivery) delivery.close();
    },
  };
}
