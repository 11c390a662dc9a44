import { amzTarget } from "../endpoint/signing.ts";
import { serveJson } from "../endpoint/json-protocol.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import type { DeliveryEngine } from "./delivery.ts";
import { openDeliveringService, type DeliveringServiceOptions } from "./delivering-service.ts";
import type { EventEnvelope } from "./event-envelope.ts";
import { eventBridgeProtocol } from "./operations.ts";
import { RuleRouter } from "./rule-router.ts";
import { RuleSchedules } from "./rule-schedules.ts";
import { DEFAULT_BUS, type EventBridgeContext, type EventBridgeState } from "./state.ts";

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

/**
 * Creates the embedded EventBridge (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`): buses, rules
 * with event patterns or schedules, targets, PutEvents and TestEventPattern. Matching events and
 * firing schedules go to the rules' targets through the delivery engine.
 */
export function createEventBridgeService(options: EventBridgeServiceOptions): EventBridgeService {
  const { region, accountId, clock, file, state, delivery } = openDeliveringService<EventBridgeState>(options, "eventbridge", { buses: [], rules: [] });
  const ctx: EventBridgeContext = {
    region,
    accountId,
    clock,
    state,
    save: () => file.save(state),
    ruleChanged: (rule, deleted) => schedules.arm(rule, deleted),
  };
  const router = new RuleRouter(ctx, delivery);
  const schedules = new RuleSchedules(ctx, router);
  for (const rule of state.rules) schedules.arm(rule);
  const protocol = eventBridgeProtocol(router);

  let closed = false;
  return {
    name: "events",
    delivery,
    matches: (req) => amzTarget(req)?.prefix === "AWSEvents",
    handle(req: EndpointRequest): Promise<EndpointResponse> {
      return serveJson(protocol, ctx, amzTarget(req)?.operation ?? "", req, closed);
    },
    putEventInternal(event, busName = DEFAULT_BUS) {
      router.publish(busName, event);
    },
    idle: () => delivery.idle(),
    async close() {
      if (closed) return;
      closed = true;
      router.close();
      schedules.close();
      // A delivery engine shared with the Scheduler is the Scheduler's to close.
      if (!options.delivery) delivery.close();
    },
  };
}
