import { invalidParameter } from "./errors.ts";
import type { SnsScope } from "./arns.ts";
import type { SubscriptionRecord, TopicRecord } from "./store.ts";

type Check = (value: string) => boolean;

const anything: Check = () => true;
const bool: Check = (v) => v === "true" || v === "false";
const jsonObject: Check = (v) => {
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
};
const sampleRate: Check = (v) => /^\d{1,3}$/.test(v) && Number(v) <= 100;

/** The topic attributes a client may set, with what SNS accepts for each. */
const SETTABLE: Readonly<Record<string, Check>> = {
  DisplayName: (v) => v.length <= 100,
  Policy: jsonObject,
  DeliveryPolicy: jsonObject,
  FifoTopic: bool,
  ContentBasedDeduplication: bool,
  FifoThroughputScope: (v) => v === "Topic" || v === "MessageGroup",
  ArchivePolicy: jsonObject,
  SignatureVersion: (v) => v === "1" || v === "2",
  TracingConfig: (v) => v === "PassThrough" || v === "Active",
  KmsMasterKeyId: anything,
  ...Object.fromEntries(
    ["Application", "Firehose", "HTTP", "Lambda", "SQS"].flatMap((p) => [
      [`${p}SuccessFeedbackRoleArn`, anything],
      [`${p}SuccessFeedbackSampleRate`, sampleRate],
      [`${p}FailureFeedbackRoleArn`, anything],
    ]),
  ),
};

/** Attributes only a FIFO topic has. */
const FIFO_ONLY = new Set(["ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy"]);

/**
 * Validates attributes given at CreateTopic (`creating`) or SetTopicAttributes. DeliveryPolicy is
 * kept and reported but local retries follow the service's `delivery` option (documented).
 */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  const check = SETTABLE[name];
  if (!check || (name === "FifoTopic" && !creating)) {
    throw creating ? invalidParameter("Attributes", `Unknown attribute: ${name}`) : invalidParameter("AttributeName");
  }
  if (!check(value)) throw invalidParameter(creating ? "Attributes" : "AttributeValue", `Invalid value for attribute ${name}: ${value}`);
  if (FIFO_ONLY.has(name) && !fifo && value !== "false" && value !== "") {
    throw invalidParameter(creating ? "Attributes" : "AttributeName", `${name} applies only to FIFO topics`);
  }
}

/** AWS's default access policy of a new topic: the owner account may do everything. */
export function defaultTopicPolicy(scope: SnsScope, topicArn: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": scope.accountId } },
      },
    ],
  });
}

/** AWS's default HTTP delivery policy (three retries 20 s apart), reported as EffectiveDeliveryPolicy. */
export const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: "linear",
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
  },
});

export function isFifo(topic: TopicRecord): boolean {
  return topic.attributes.FifoTopic === "true";
}

/** GetTopicAttributes: what was set, plus what SNS computes (owner, counts, effective policies). */
export function topicAttributesView(scope: SnsScope, topic: TopicRecord, subscriptions: readonly SubscriptionRecord[]): Record<string, string> {
  const pending = subscriptions.filter((s) => s.pendingConfirmation).length;
  const view: Record<string, string> = {
    Policy: topic.attributes.Policy ?? defaultTopicPolicy(scope, topic.arn),
    Owner: scope.accountId,
    SubscriptionsPending: String(pending),
    TopicArn: topic.arn,
    EffectiveDeliveryPolicy: topic.attributes.DeliveryPolicy ?? DEFAULT_DELIVERY_POLICY,
    SubscriptionsConfirmed: String(subscriptions.length - pending),
    DisplayName: topic.attributes.DisplayName ?? "",
    SubscriptionsDeleted: String(topic.subscriptionsDeleted),
  };
  if (isFifo(topic)) view.ContentBasedDeduplication = "false";
  return { ...view, ...topic.attributes };
}
