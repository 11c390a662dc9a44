import { randomUUID } from "node:crypto";
import { checkSubscriptionArn } from "./arns.ts";
import type { SnsCall, SnsContext } from "./context.ts";
import { checkEndpoint } from "./endpoints.ts";
import { invalidParameter, subscriptionNotFound } from "./errors.ts";
import { page } from "./paging.ts";
import type { SubscriptionRecord } from "./store.ts";
import { checkSubscriptionAttribute, subscriptionAttributesView } from "./subscription-attributes.ts";
import { resolveTopic } from "./topic-operations.ts";
import { xmlElement, xmlEntries, xmlMembers } from "./xml.ts";

/** What Subscribe answers for a subscription awaiting confirmation (unless ReturnSubscriptionArn). */
const PENDING = "pending confirmation";

/**
 * Subscribe. Locally, http/https/log subscriptions are confirmed at once (no
 * SubscriptionConfirmation round trip: the endpoint is on this machine and the caller chose it),
 * so their ARN is always returned. Email subscriptions stay pending: nothing is sent locally.
 * Subscribing the same endpoint twice returns the existing subscription, as AWS does.
 */
export function subscribe(ctx: SnsContext, { params }: SnsCall): string {
  const topic = resolveTopic(ctx, params.required("TopicArn"));
  const { protocol, endpoint } = checkEndpoint(params.required("Protocol"), params.string("Endpoint"));
  const attributes: Record<string, string> = {};
  for (const [name, value] of params.map("Attributes")) attributes[name] = checkSubscriptionAttribute(name, value, protocol, true);
  const returnArn = params.boolean("ReturnSubscriptionArn") ?? false;

  const existing = ctx.store.allSubscriptions(topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
  if (existing) {
    for (const [name, value] of Object.entries(attributes)) {
      if ((existing.attributes[name] ?? (name === "RawMessageDelivery" ? "false" : undefined)) !== value) {
        throw invalidParameter("Attributes", "Subscription already exists with different attributes");
      }
    }
    return xmlElement("SubscriptionArn", existing.pendingConfirmation && !returnArn ? PENDING : existing.arn);
  }
  const sub: SubscriptionRecord = {
    arn: `${topic.arn}:${randomUUID()}`,
    topicArn: topic.arn,
    protocol,
    endpoint,
    owner: ctx.accountId,
    attributes,
    pendingConfirmation: protocol === "email" || protocol === "email-json",
  };
  ctx.store.putSubscription(sub);
  return xmlElement("SubscriptionArn", sub.pendingConfirmation && !returnArn ? PENDING : sub.arn);
}

/** Unsubscribing a well-formed ARN that does not exist (any more) succeeds, as in AWS. */
export function unsubscribe(ctx: SnsContext, { params }: SnsCall): undefined {
  ctx.store.deleteSubscription(checkSubscriptionArn(params.required("SubscriptionArn")));
  return undefined;
}

export function listSubscriptions(ctx: SnsContext, { params }: SnsCall): string {
  return subscriptionPage(ctx.store.allSubscriptions(), params.string("NextToken"));
}

export function listSubscriptionsByTopic(ctx: SnsContext, { params }: SnsCall): string {
  const topic = resolveTopic(ctx, params.required("TopicArn"));
  return subscriptionPage(ctx.store.allSubscriptions(topic.arn), params.string("NextToken"));
}

export function getSubscriptionAttributes(ctx: SnsContext, { params }: SnsCall): string {
  const sub = ctx.store.subscription(checkSubscriptionArn(params.required("SubscriptionArn")));
  if (!sub) throw subscriptionNotFound();
  return xmlEntries("Attributes", subscriptionAttributesView(sub));
}

export function setSubscriptionAttributes(ctx: SnsContext, { params }: SnsCall): undefined {
  const sub = ctx.store.subscription(checkSubscriptionArn(params.required("SubscriptionArn")));
  if (!sub) throw subscriptionNotFound();
  const name = params.required("AttributeName");
  sub.attributes[name] = checkSubscriptionAttribute(name, params.string("AttributeValue") ?? "", sub.protocol, false);
  ctx.store.save();
  return undefined;
}

/** A page of subscriptions; unconfirmed ones are listed with `PendingConfirmation` as their ARN, as AWS lists them. */
function subscriptionPage(subs: readonly SubscriptionRecord[], nextToken: string | undefined): string {
  const result = page(subs, (s) => s.arn, nextToken);
  const members = result.items.map(
    (s) =>
      xmlElement("SubscriptionArn", s.pendingConfirmation ? "PendingConfirmation" : s.arn) +
      xmlElement("Owner", s.owner) +
      xmlElement("Protocol", s.protocol) +
      xmlElement("Endpoint", s.endpoint) +
      xmlElement("TopicArn", s.topicArn),
  );
  return xmlMembers("Subscriptions", members) + xmlElement("NextToken", result.nextToken);
}
