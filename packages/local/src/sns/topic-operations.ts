import { isValidTopicName, parseTopicArn, topicArnOf } from "./arns.ts";
import type { SnsCall, SnsContext } from "./context.ts";
import { invalidParameter, SnsApiError, topicNotFound } from "./errors.ts";
import { page } from "./paging.ts";
import type { QueryNode } from "./query.ts";
import type { TopicRecord } from "./store.ts";
import { checkTopicAttribute, isFifo, topicAttributesView } from "./topic-attributes.ts";
import { xmlElement, xmlEntries, xmlMembers } from "./xml.ts";

const MAX_TAGS = 50;

/** The topic a `TopicArn` names; unknown is `NotFound` ("Topic does not exist"). */
export function resolveTopic(ctx: SnsContext, arn: string, member = "TopicArn"): TopicRecord {
  const { local } = parseTopicArn(ctx, arn, member);
  const topic = local ? ctx.store.topic(arn) : undefined;
  if (!topic) throw topicNotFound();
  return topic;
}

/**
 * CreateTopic is idempotent: the same name returns the existing ARN, unless the request's
 * attributes or tags contradict the topic's (then `InvalidParameter`, as AWS answers).
 */
export function createTopic(ctx: SnsContext, { params }: SnsCall): string {
  const name = params.required("Name");
  if (!isValidTopicName(name)) throw invalidParameter("Topic Name");
  const attributes = Object.fromEntries(params.map("Attributes"));
  if (params.string("DataProtectionPolicy") !== undefined) {
    throw invalidParameter("DataProtectionPolicy", "message data protection is not supported by the local SNS service");
  }
  const fifoName = name.endsWith(".fifo");
  if (attributes.FifoTopic === "true" && !fifoName) {
    throw invalidParameter(
      "Fifo Topic names must end with .fifo and they must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
    );
  }
  if (fifoName) attributes.FifoTopic = "true";
  for (const [key, value] of Object.entries(attributes)) checkTopicAttribute(key, value, fifoName, true);
  const tags = readTags(params);

  const arn = topicArnOf(ctx, name);
  const existing = ctx.store.topic(arn);
  if (existing) {
    for (const [key, value] of Object.entries(attributes)) {
      if ((existing.attributes[key] ?? defaultOf(key)) !== value) {
        throw invalidParameter("Attributes", "Topic already exists with different attributes");
      }
    }
    for (const [key, value] of Object.entries(tags)) {
      if (existing.tags[key] !== value) throw invalidParameter("Tags", "Topic already exists with different tags");
    }
    return xmlElement("TopicArn", arn);
  }
  if (Object.keys(tags).length > MAX_TAGS) throw tagLimit();
  ctx.store.putTopic({ name, arn, attributes, tags, subscriptionsDeleted: 0 });
  return xmlElement("TopicArn", arn);
}

/** Deleting a topic that does not exist is not an error (AWS: "This action is idempotent"). */
export function deleteTopic(ctx: SnsContext, { params }: SnsCall): undefined {
  const arn = params.required("TopicArn");
  const { local } = parseTopicArn(ctx, arn);
  if (local && ctx.store.deleteTopic(arn)) ctx.fifo.forget(arn);
  return undefined;
}

export function listTopics(ctx: SnsContext, { params }: SnsCall): string {
  const result = page(ctx.store.allTopics(), (t) => t.arn, params.string("NextToken"));
  return xmlMembers("Topics", result.items.map((t) => xmlElement("TopicArn", t.arn))) + xmlElement("NextToken", result.nextToken);
}

export function getTopicAttributes(ctx: SnsContext, { params }: SnsCall): string {
  const topic = resolveTopic(ctx, params.required("TopicArn"));
  return xmlEntries("Attributes", topicAttributesView(ctx, topic, ctx.store.allSubscriptions(topic.arn)));
}

export function setTopicAttributes(ctx: SnsContext, { params }: SnsCall): undefined {
  const topic = resolveTopic(ctx, params.required("TopicArn"));
  const name = params.required("AttributeName");
  const value = params.string("AttributeValue") ?? "";
  checkTopicAttribute(name, value, isFifo(topic), false);
  topic.attributes[name] = value;
  ctx.store.save();
  return undefined;
}

export function listTagsForResource(ctx: SnsContext, { params }: SnsCall): string {
  const topic = taggedTopic(ctx, params);
  return xmlMembers(
    "Tags",
    Object.entries(topic.tags).map(([k, v]) => xmlElement("Key", k) + xmlElement("Value", v)),
  );
}

export function tagResource(ctx: SnsContext, { params }: SnsCall): string {
  const topic = taggedTopic(ctx, params);
  const merged = { ...topic.tags, ...readTags(params) };
  if (Object.keys(merged).length > MAX_TAGS) throw tagLimit();
  Object.assign(topic.tags, merged);
  ctx.store.save();
  return "";
}

export function untagResource(ctx: SnsContext, { params }: SnsCall): string {
  const topic = taggedTopic(ctx, params);
  for (const node of params.indexed("TagKeys")) if (node.value !== undefined) delete topic.tags[node.value];
  ctx.store.save();
  return "";
}

function taggedTopic(ctx: SnsContext, params: QueryNode): TopicRecord {
  const arn = params.required("ResourceArn");
  try {
    return resolveTopic(ctx, arn, "ResourceArn");
  } catch (error) {
    if (error instanceof SnsApiError && error.code === "NotFound") throw new SnsApiError("ResourceNotFound", "Resource does not exist");
    throw error;
  }
}

/** `Tags.member.N.Key/Value`: keys 1–128 characters, values up to 256. */
function readTags(params: QueryNode): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const node of params.indexed("Tags")) {
    const key = node.string("Key") ?? "";
    const value = node.string("Value") ?? "";
    if (key.length < 1 || key.length > 128) throw invalidParameter("Tags", "Tag keys must be between 1 and 128 characters long");
    if (value.length > 256) throw invalidParameter("Tags", "Tag values must be at most 256 characters long");
    tags[key] = value;
  }
  return tags;
}

function tagLimit(): SnsApiError {
  return new SnsApiError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
}

/** What an unset attribute counts as when a repeated CreateTopic names it. */
function defaultOf(key: string): string | undefined {
  if (key === "FifoTopic" || key === "ContentBasedDeduplication") return "false";
  if (key === "DisplayName") return "";
  return undefined;
}
