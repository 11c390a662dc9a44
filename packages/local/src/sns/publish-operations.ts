import { randomUUID } from "node:crypto";
import type { SnsCall, SnsContext } from "./context.ts";
import { invalidParameter, missingParameter, SnsApiError } from "./errors.ts";
import { contentDeduplicationId } from "./fifo.ts";
import { attributesSize, readMessageAttributes, type MessageAttribute } from "./message-attributes.ts";
import { checkSubject, parseMessageStructure, type Notification } from "./notification.ts";
import type { QueryNode } from "./query.ts";
import type { TopicRecord } from "./store.ts";
import { isFifo } from "./topic-attributes.ts";
import { resolveTopic } from "./topic-operations.ts";
import { xmlElement, xmlMembers } from "./xml.ts";

/** 256 KB: the message body plus every attribute's name, data type and value, in bytes. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/** A validated Publish request or PublishBatch entry, not yet bound to a topic. */
interface MessageInput {
  readonly message: string;
  readonly subject?: string;
  readonly structure?: Record<string, string>;
  readonly attributes: Map<string, MessageAttribute>;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

/** What a topic did with a message: accepted it (new or a FIFO duplicate, then not delivered again). */
interface Accepted {
  readonly messageId: string;
  readonly sequenceNumber?: string;
  readonly notification?: Notification;
  /** The FIFO deduplication ID recorded for a new message. */
  readonly deduplicationId?: string;
}

export async function publish(ctx: SnsContext, { params, baseUrl }: SnsCall): Promise<string> {
  const topicArn = params.string("TopicArn");
  const targetArn = params.string("TargetArn");
  if (params.string("PhoneNumber") !== undefined) {
    throw invalidParameter("PhoneNumber", "the local SNS service does not send SMS; publish to a topic");
  }
  if (topicArn !== undefined && targetArn !== undefined && topicArn !== targetArn) {
    throw invalidParameter("TopicArn or TargetArn", "only one of them may be given");
  }
  const arn = topicArn ?? targetArn;
  if (arn === undefined) throw invalidParameter("TopicArn or TargetArn", "no value for required parameter");
  const input = readMessage(params, "");
  const topic = resolveTopic(ctx, arn, topicArn !== undefined ? "TopicArn" : "TargetArn");
  const accepted = accept(ctx, topic, input);
  if (accepted.notification) await dispatch(ctx, topic, [accepted], baseUrl);
  return xmlElement("MessageId", accepted.messageId) + xmlElement("SequenceNumber", accepted.sequenceNumber);
}

/**
 * PublishBatch: up to ten entries with distinct ids. Request-level problems (no entries, too
 * many, bad or repeated ids, more than 256 KB in all, unknown topic) fail the call; an entry that
 * is itself invalid is reported in `Failed` while the others are published.
 */
export async function publishBatch(ctx: SnsContext, { params, baseUrl }: SnsCall): Promise<string> {
  const topicArn = params.required("TopicArn");
  const entries = params.indexed("PublishBatchRequestEntries");
  if (entries.length === 0) throw new SnsApiError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SnsApiError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
  }
  const topic = resolveTopic(ctx, topicArn);
  const ids = entries.map((e) => e.string("Id") ?? "");
  if (ids.some((id) => !BATCH_ENTRY_ID.test(id))) {
    throw new SnsApiError("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.");
  }
  if (new Set(ids).size !== ids.length) {
    throw new SnsApiError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
  }
  if (entries.reduce((sum, e) => sum + rawEntrySize(e), 0) > MAX_MESSAGE_BYTES) {
    throw new SnsApiError("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
  }

  const successful: string[] = [];
  const failed: string[] = [];
  const fresh: Accepted[] = [];
  entries.forEach((entry, index) => {
    const id = ids[index]!;
    try {
      const accepted = accept(ctx, topic, readMessage(entry, `publishBatchRequestEntries.${index + 1}.member.`));
      if (accepted.notification) fresh.push(accepted);
      successful.push(xmlElement("Id", id) + xmlElement("MessageId", accepted.messageId) + xmlElement("SequenceNumber", accepted.sequenceNumber));
    } catch (error) {
      // A malformed request (a required member missing) fails as a whole, like AWS's request validation.
      if (!(error instanceof SnsApiError) || error.code === "ValidationError") throw error;
      failed.push(xmlElement("Id", id) + xmlElement("Code", error.code) + xmlElement("Message", error.message) + xmlElement("SenderFault", error.status < 500));
    }
  });
  await dispatch(ctx, topic, fresh, baseUrl);
  return xmlMembers("Successful", successful) + xmlMembers("Failed", failed);
}

/**
 * Stores and fans out newly accepted messages. If they cannot be stored the call fails, and their
 * FIFO deduplication IDs are released so that the client's retry is accepted, not dropped.
 */
async function dispatch(ctx: SnsContext, topic: TopicRecord, accepted: readonly Accepted[], baseUrl: string): Promise<void> {
  try {
    await ctx.dispatcher.dispatch(topic, accepted.map((a) => a.notification!), ctx.store.allSubscriptions(topic.arn), baseUrl);
  } catch (error) {
    for (const a of accepted) if (a.deduplicationId !== undefined) ctx.fifo.release(topic.arn, a.deduplicationId);
    throw error;
  }
}

/** Validates the message members of a Publish request or batch entry (`member` prefixes validation messages). */
function readMessage(node: QueryNode, member: string): MessageInput {
  const message = node.string("Message");
  if (message === undefined) throw missingParameter(`${member}message`);
  if (message === "") throw invalidParameter("Empty message");
  const subject = node.string("Subject");
  if (subject !== undefined) checkSubject(subject);
  const attributes = readMessageAttributes(node, `${member}messageAttributes`);
  if (Buffer.byteLength(message, "utf8") + attributesSize(attributes) > MAX_MESSAGE_BYTES) throw invalidParameter("Message too long");
  const messageStructure = node.string("MessageStructure");
  if (messageStructure !== undefined && messageStructure !== "json") throw invalidParameter("MessageStructure");
  const structure = messageStructure === "json" ? parseMessageStructure(message) : undefined;
  const messageGroupId = node.string("MessageGroupId");
  const messageDeduplicationId = node.string("MessageDeduplicationId");
  if (messageGroupId !== undefined && !FIFO_ID.test(messageGroupId)) {
    throw invalidParameter("MessageGroupId", "must be 1 to 128 alphanumeric or punctuation characters");
  }
  if (messageDeduplicationId !== undefined && !FIFO_ID.test(messageDeduplicationId)) {
    throw invalidParameter("MessageDeduplicationId", "must be 1 to 128 alphanumeric or punctuation characters");
  }
  return { message, subject, structure, attributes, messageGroupId, messageDeduplicationId };
}

/**
 * Binds a validated message to its topic. FIFO topics require a message group and a
 * deduplication ID (explicit, or the body's SHA-256 with ContentBasedDeduplication); a duplicate
 * within five minutes is accepted again without being delivered again.
 */
function accept(ctx: SnsContext, topic: TopicRecord, input: MessageInput): Accepted {
  const now = ctx.now();
  const messageId = randomUUID();
  const notification = (sequenceNumber?: string): Notification => ({
    messageId,
    topicArn: topic.arn,
    topicName: topic.name,
    subject: input.subject,
    message: input.message,
    structure: input.structure,
    attributes: input.attributes,
    timestamp: new Date(now).toISOString(),
    sequenceNumber,
    messageGroupId: input.messageGroupId,
  });
  if (!isFifo(topic)) {
    if (input.messageDeduplicationId !== undefined) {
      throw invalidParameter("MessageDeduplicationId", "The request includes MessageDeduplicationId parameter that is not valid for this topic type");
    }
    return { messageId, notification: notification() };
  }
  if (input.messageGroupId === undefined) throw invalidParameter("The MessageGroupId parameter is required for FIFO topics");
  let deduplicationId = input.messageDeduplicationId;
  if (deduplicationId === undefined) {
    if (topic.attributes.ContentBasedDeduplication !== "true") {
      throw invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    }
    deduplicationId = contentDeduplicationId(input.message);
  }
  const earlier = ctx.fifo.duplicate(topic.arn, deduplicationId, now);
  if (earlier) return { messageId: earlier.messageId, sequenceNumber: earlier.sequenceNumber };
  const sequenceNumber = ctx.fifo.accept(topic.arn, deduplicationId, messageId, now);
  return { messageId, sequenceNumber, notification: notification(sequenceNumber), deduplicationId };
}

/** An entry's weight against the batch limit, counted before (and whether or not) it validates. */
function rawEntrySize(entry: QueryNode): number {
  let size = Buffer.byteLength(entry.string("Message") ?? "", "utf8");
  for (const attribute of entry.indexed("MessageAttributes", "entry")) {
    const value = attribute.child("Value");
    size += Buffer.byteLength(attribute.string("Name") ?? "") + Buffer.byteLength(value?.string("DataType") ?? "");
    const binary = value?.string("BinaryValue");
    size += binary !== undefined ? Buffer.from(binary, "base64").length : Buffer.byteLength(value?.string("StringValue") ?? "");
  }
  return size;
}
