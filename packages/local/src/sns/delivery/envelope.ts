import { deliveredAttributes, type DeliveredAttributes } from "../message-attributes.ts";
import { messageFor, type Notification } from "../notification.ts";
import type { SubscriptionRecord } from "../store.ts";

/**
 * Local deliveries are not signed: SNS signs with a private key whose certificate AWS hosts, which
 * a local endpoint cannot have. The fields are present with these fixed values so envelope parsers
 * work; webhook code must skip signature verification when it talks to the local endpoint.
 */
export const LOCAL_SIGNATURE = Buffer.from("freshet-local: deliveries are not signed").toString("base64");
export const LOCAL_SIGNING_CERT_PATH = "/SimpleNotificationService-freshet-local-unsigned.pem";

/** The JSON document SNS POSTs to HTTP/S subscribers for a notification (field order as AWS sends it). */
export interface HttpNotificationEnvelope {
  readonly Type: "Notification";
  readonly MessageId: string;
  readonly SequenceNumber?: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly UnsubscribeURL: string;
  readonly MessageAttributes?: DeliveredAttributes;
}

export interface HttpDelivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The request SNS makes to an HTTP/S subscriber: the envelope (or, with RawMessageDelivery, the
 * bare message) and the `x-amz-sns-*` headers. `baseUrl` is where the local endpoint is reached, so
 * the UnsubscribeURL works against it. Message attributes travel only with string-structured
 * messages, as in AWS.
 */
export function httpDelivery(n: Notification, sub: SubscriptionRecord, baseUrl: string, signatureVersion: string): HttpDelivery {
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=UTF-8",
    "user-agent": "Amazon Simple Notification Service Agent",
    "x-amz-sns-message-type": "Notification",
    "x-amz-sns-message-id": n.messageId,
    "x-amz-sns-topic-arn": n.topicArn,
    "x-amz-sns-subscription-arn": sub.arn,
  };
  const message = messageFor(n, sub.protocol);
  if (sub.attributes.RawMessageDelivery === "true") {
    return { headers: { ...headers, "x-amz-sns-rawdelivery": "true" }, body: message };
  }
  const attributes = n.structure || n.attributes.size === 0 ? undefined : deliveredAttributes(n.attributes);
  const envelope: HttpNotificationEnvelope = {
    Type: "Notification",
    MessageId: n.messageId,
    ...(n.sequenceNumber ? { SequenceNumber: n.sequenceNumber } : {}),
    TopicArn: n.topicArn,
    ...(n.subject !== undefined ? { Subject: n.subject } : {}),
    Message: message,
    Timestamp: n.timestamp,
    SignatureVersion: signatureVersion,
    Signature: LOCAL_SIGNATURE,
    SigningCertURL: `${baseUrl}${LOCAL_SIGNING_CERT_PATH}`,
    UnsubscribeURL: `${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${sub.arn}`,
    ...(attributes ? { MessageAttributes: attributes } : {}),
  };
  return { headers, body: JSON.stringify(envelope, null, 2) };
}
