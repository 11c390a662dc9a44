import type { JsonProtocol } from "../endpoint/json-protocol.ts";
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses } from "./bus-operations.ts";
import { putEvents, testEventPattern } from "./events-operations.ts";
import type { JsonObject } from "./request-fields.ts";
import { deleteRule, describeRule, disableRule, enableRule, listRuleNamesByTarget, listRules, putRule } from "./rule-operations.ts";
import type { RuleRouter } from "./rule-router.ts";
import type { EventBridgeContext } from "./state.ts";
import { listTargetsByRule, putTargets, removeTargets } from "./target-operations.ts";

type Operation = (ctx: EventBridgeContext, input: JsonObject) => object;

/** EventBridge's API as the embedded endpoint serves it (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`). */
export function eventBridgeProtocol(router: RuleRouter): JsonProtocol<EventBridgeContext> {
  const operations: Readonly<Record<string, Operation>> = {
    PutEvents: (ctx, input) => putEvents(ctx, input, (busName, event) => router.publish(busName, event)),
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
  return {
    contentType: "application/x-amz-json-1.1",
    operations,
    unknownOperation: (name) => `Unknown operation ${name}`,
    unavailable: { type: "ServiceUnavailable", message: "The EventBridge service is shut down" },
  };
}
