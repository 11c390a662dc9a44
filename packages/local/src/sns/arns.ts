import { invalidParameter } from "./errors.ts";

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the service lives: every ARN it issues or accepts is in this region and account. */
export interface SnsScope {
  readonly region: string;
  readonly accountId: string;
}

export function topicArnOf(scope: SnsScope, name: string): string {
  return `arn:aws:sns:${scope.region}:${scope.accountId}:${name}`;
}

/** Topic names: ASCII letters, digits, `_` and `-`, 1–256 characters; FIFO topics end in `.fifo`. */
export function isValidTopicName(name: string): boolean {
  return STANDARD_NAME.test(name) || FIFO_NAME.test(name);
}

/**
 * The topic name an ARN names. A malformed ARN, or one of another region, is `InvalidParameter`
 * (SNS cannot publish across regions); one of another account names a topic that does not exist
 * here, which the caller reports as `NotFound`.
 */
export function parseTopicArn(scope: SnsScope, arn: string, member = "TopicArn"): { name: string; local: boolean } {
  const match = TOPIC_ARN.exec(arn);
  if (!match || !isValidTopicName(match[3]!) || match[1] !== scope.region) throw invalidParameter(member);
  return { name: match[3]!, local: match[2] === scope.accountId };
}

/**
 * Checks a subscription ARN's shape as SNS does (`arn:aws:sns:region:account:topic:uuid`) and
 * returns it. Six elements is a topic ARN, not a subscription.
 */
export function checkSubscriptionArn(arn: string): string {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    throw invalidParameter("SubscriptionArn", `An ARN must have at least 6 elements, not ${parts.length}`);
  }
  if (parts.length !== 7 || !SUBSCRIPTION_ID.test(parts[6]!)) throw invalidParameter("SubscriptionId");
  return arn;
}
