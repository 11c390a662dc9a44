import { compileEventPattern, matchesPattern, nextFireTimes, parseScheduleExpression, type CompiledEventPattern } from "@freshet/eventbridge";
import { amzTarget } from "../endpoint/signing.ts";
import { serveJson, type JsonProtocol } from "../endpoint/json-protocol.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses } from "./bus-operations.ts";
import type { DeliveryEngine } from "./delivery.ts";
import { openDeliveringService, type DeliveringServiceOptions } from "./delivering-service.ts";
import { eventTime, scheduledEvent, type EventEnvelope } from "./event-envelope.ts";
import { putEvents, testEventPattern } from "./events-operations.ts";
import { targetInput } from "./input-transformer.ts";
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

/** Rules, targets and buses live in `<dataDir>/eventbridge/`; the delivery engine may be shared with the Scheduler. */
export type EventBridgeServiceOptions = DeliveringServiceOptions;

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
  const { region, accountId, clock, file, state, delivery } = openDeliveringService<EventBridgeState>(options, "eventbridge", { buses: [], rules: [] });
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
