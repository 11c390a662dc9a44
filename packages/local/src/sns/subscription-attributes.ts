import { invalidParameter } from "./errors.ts";
import type { SubscriptionRecord } from "./store.ts";
import { DEFAULT_DELIVERY_POLICY } from "./topic-attributes.ts";

/** Attributes AWS knows that the local service cannot honour: refused rather than silently ignored. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  FilterPolicy: "filter policies are not supported by the local SNS service; every subscription receives every message",
  FilterPolicyScope: "filter policies are not supported by the local SNS service",
  RedrivePolicy: "dead-letter queues need SQS, which the local SNS service does not deliver to",
  SubscriptionRoleArn: "applies only to Firehose subscriptions, which the local SNS service does not deliver to",
  ReplayPolicy: "message archiving and replay are not supported by the local SNS service",
};

/**
 * Validates a subscription attribute (Subscribe's `Attributes` when `subscribing`, else
 * SetSubscriptionAttributes) and returns the value as stored. DeliveryPolicy is kept and reported;
 * local retries follow the service's `delivery` option.
 */
export function checkSubscriptionAttribute(name: string, value: string, protocol: string, subscribing: boolean): string {
  const what = subscribing ? "Attributes" : name;
  if (UNSUPPORTED[name]) throw invalidParameter(what, UNSUPPORTED[name]);
  if (name === "RawMessageDelivery") {
    const lower = value.toLowerCase();
    if (lower !== "true" && lower !== "false") throw invalidParameter(what, `RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
    if (protocol !== "http" && protocol !== "https") {
      throw invalidParameter(what, `Delivery protocol [${protocol}] does not support raw message delivery.`);
    }
    return lower;
  }
  if (name === "DeliveryPolicy") {
    if (protocol !== "http" && protocol !== "https") throw invalidParameter(what, `Delivery protocol [${protocol}] does not support delivery policies.`);
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError("not an object");
    } catch {
      throw invalidParameter(what, "DeliveryPolicy: failed to parse JSON.");
    }
    return value;
  }
  throw subscribing ? invalidParameter("Attributes", `Invalid attribute name: ${name}`) : invalidParameter("AttributeName");
}

/** GetSubscriptionAttributes: what was set plus what SNS reports about the subscription. */
export function subscriptionAttributesView(sub: SubscriptionRecord): Record<string, string> {
  const view: Record<string, string> = {
    Owner: sub.owner,
    RawMessageDelivery: "false",
    TopicArn: sub.topicArn,
    Endpoint: sub.endpoint,
    Protocol: sub.protocol,
    PendingConfirmation: String(sub.pendingConfirmation),
    ConfirmationWasAuthenticated: String(!sub.pendingConfirmation),
    SubscriptionArn: sub.arn,
  };
  if (sub.protocol === "http" || sub.protocol === "https") {
    view.EffectiveDeliveryPolicy = sub.attributes.DeliveryPolicy ?? DEFAULT_DELIVERY_POLICY;
  }
  return { ...view, ...sub.attributes };
}
