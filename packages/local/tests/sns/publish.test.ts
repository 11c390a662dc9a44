import {
  CreateTopicCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
  PublishCommand,
  type MessageAttributeValue,
} from "@aws-sdk/client-sns";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SinkRecord } from "../../src/sns/index.ts";
import { serviceError, startSns, type SnsHarness } from "./harness.ts";

let sns: SnsHarness | undefined;
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
});

function sinkLines(name: string): SinkRecord[] {
  const text = readFileSync(join(sns!.dataDir, "sns", `${name}.ndjson`), "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text.trimEnd().split("\n").map((line) => JSON.parse(line) as SinkRecord);
}

async function topic(name = "OpsAlerts", attributes?: Record<string, string>): Promise<string> {
  return (await sns!.client.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
}

describe("Publish", () => {
  it("accepts a message and appends it, attributes and all, to the topic's sink file before answering", async () => {
    let clock = Date.parse("2026-11-26T08:30:00.125Z");
    sns = await startSns({ now: () => clock });
    const TopicArn = await topic();
    const attributes: Record<string, MessageAttributeValue> = {
      severity: { DataType: "String", StringValue: "high" },
      count: { DataType: "Number", StringValue: "-12.5e3" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      tags: { DataType: "String.Array", StringValue: '["a", 1, true, null]' },
      "custom.type": { DataType: "String.json", StringValue: "{}" },
    };
    const out = await sns.client.send(
      new PublishCommand({ TopicArn, Subject: "Load failed", Message: "COPY failed for manifest m-1\nsee SYS_LOAD_ERROR_DETAIL", MessageAttributes: attributes }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    clock += 1000;
    const second = await sns.client.send(new PublishCommand({ TopicArn, Message: "plain" }));

    expect(sinkLines("OpsAlerts")).toEqual([
      {
        messageId: out.MessageId,
        topicArn: TopicArn,
        subject: "Load failed",
        message: "COPY failed for manifest m-1\nsee SYS_LOAD_ERROR_DETAIL",
        attributes: {
          severity: { Type: "String", Value: "high" },
          count: { Type: "Number", Value: "-12.5e3" },
          blob: { Type: "Binary", Value: Buffer.from([0, 1, 2, 255]).toString("base64") },
          tags: { Type: "String.Array", Value: '["a", 1, true, null]' },
          "custom.type": { Type: "String.json", Value: "{}" },
        },
        timestamp: "2026-11-26T08:30:00.125Z",
      },
      { messageId: second.MessageId, topicArn: TopicArn, subject: null, message: "plain", attributes: {}, timestamp: "2026-11-26T08:30:01.125Z" },
    ]);
  });

  it("enforces the 256 KB limit on the message plus every attribute's name, type and value, in bytes", async () => {
    sns = await startSns();
    const TopicArn = await topic();
    const limit = 262_144;
    await sns.client.send(new PublishCommand({ TopicArn, Message: "x".repeat(limit) }));
    const over = await serviceError(sns.client.send(new PublishCommand({ TopicArn, Message: "x".repeat(limit + 1) })));
    expect(over).toBeInstanceOf(InvalidParameterException);
    expect(over.message).toBe("Invalid parameter: Message too long");
    expect(over.$metadata.httpStatusCode).toBe(400);
    // Bytes, not characters: é is two bytes in UTF-8.
    await sns.client.send(new PublishCommand({ TopicArn, Message: "é".repeat(limit / 2) }));
    expect(await serviceError(sns.client.send(new PublishCommand({ TopicArn, Message: `${"é".repeat(limit / 2)}x` })))).toBeInstanceOf(
      InvalidParameterException,
    );
    // "key" (3) + "String" (6) + "value" (5) = 14 bytes of attribute.
    const attribute = { key: { DataType: "String", StringValue: "value" } };
    await sns.client.send(new PublishCommand({ TopicArn, Message: "x".repeat(limit - 14), MessageAttributes: attribute }));
    const withAttribute = await serviceError(sns.client.send(new PublishCommand({ TopicArn, Message: "x".repeat(limit - 13), MessageAttributes: attribute })));
    expect(withAttribute.message).toBe("Invalid parameter: Message too long");
    // Binary values count by their decoded size.
    const binary = { b: { DataType: "Binary", BinaryValue: new Uint8Array(1000) } };
    await sns.client.send(new PublishCommand({ TopicArn, Message: "x".repeat(limit - 1007), MessageAttributes: binary }));
    expect(await serviceError(sns.client.send(new PublishCommand({ TopicArn, Message: "x".repeat(limit - 1006), MessageAttributes: binary })))).toBeInstanceOf(
      InvalidParameterException,
    );
    expect(sinkLines("OpsAlerts")).toHaveLength(4);
  });

  it("rejects what SNS rejects, with its error codes, and writes nothing for a rejected message", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    const cases: [string, Promise<unknown>, unknown, string][] = [
      ["unknown topic", client.send(new PublishCommand({ TopicArn: `${TopicArn}X`, Message: "m" })), NotFoundException, "Topic does not exist"],
      ["empty message", client.send(new PublishCommand({ TopicArn, Message: "" })), InvalidParameterException, "Invalid parameter: Empty message"],
      ["empty subject", client.send(new PublishCommand({ TopicArn, Message: "m", Subject: "" })), InvalidParameterException, "Invalid parameter: Subject"],
      ["long subject", client.send(new PublishCommand({ TopicArn, Message: "m", Subject: "s".repeat(100) })), InvalidParameterException, "Invalid parameter: Subject"],
      ["subject line break", client.send(new PublishCommand({ TopicArn, Message: "m", Subject: "a\nb" })), InvalidParameterException, "Invalid parameter: Subject"],
      ["no target", client.send(new PublishCommand({ Message: "m" })), InvalidParameterException, "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"],
      ["sms", client.send(new PublishCommand({ PhoneNumber: "+15555550100", Message: "m" })), InvalidParameterException, "Invalid parameter: PhoneNumber Reason: the local SNS service does not send SMS; publish to a topic"],
      ["structure value", client.send(new PublishCommand({ TopicArn, Message: "{}", MessageStructure: "xml" })), InvalidParameterException, "Invalid parameter: MessageStructure"],
      ["structure parse", client.send(new PublishCommand({ TopicArn, Message: "{", MessageStructure: "json" })), InvalidParameterException, "Invalid parameter: Message Structure - JSON message body failed to parse"],
      ["structure default", client.send(new PublishCommand({ TopicArn, Message: '{"http":"x"}', MessageStructure: "json" })), InvalidParameterException, "Invalid parameter: Message Structure - No default entry in JSON message body"],
      ["dedup on standard", client.send(new PublishCommand({ TopicArn, Message: "m", MessageDeduplicationId: "d" })), InvalidParameterException, "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"],
    ];
    for (const [what, call, type, message] of cases) {
      const error = await serviceError(call);
      expect(error, what).toBeInstanceOf(type);
      expect(error.message, what).toBe(message);
    }
    const missing = await serviceError(client.send(new PublishCommand({ TopicArn } as never)));
    expect(missing.name).toBe("ValidationError");
    expect(missing.message).toBe("1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
    // Publishing by TargetArn with the topic's ARN works as with TopicArn.
    await client.send(new PublishCommand({ TargetArn: TopicArn, Message: "by target" }));
    expect(sinkLines("OpsAlerts").map((r) => r.message)).toEqual(["by target"]);
  });

  it("validates message attributes with AWS's rules (InvalidParameterValue)", async () => {
    sns = await startSns();
    const TopicArn = await topic();
    const attempt = (attributes: Record<string, MessageAttributeValue>) =>
      serviceError(sns!.client.send(new PublishCommand({ TopicArn, Message: "m", MessageAttributes: attributes })));
    const cases: [Record<string, MessageAttributeValue>, string][] = [
      [{ a: { DataType: "Text", StringValue: "v" } }, "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
      [{ a: { DataType: "String", StringValue: "" } }, "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."],
      [{ a: { DataType: "String" } }, "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."],
      [{ a: { DataType: "Binary", StringValue: "v" } }, "The message attribute 'a' with type 'Binary' must use field 'Binary'."],
      [{ a: { DataType: "Number", BinaryValue: new Uint8Array([1]) } }, "The message attribute 'a' with type 'Number' must use field 'String'."],
      [{ ".a": { DataType: "String", StringValue: "v" } }, "Invalid message attribute name starting with character '.' was found."],
      [{ "a.": { DataType: "String", StringValue: "v" } }, "Invalid message attribute name ending with character '.' was found."],
      [{ "a..b": { DataType: "String", StringValue: "v" } }, "Message attribute name can not have successive '.' character."],
      [{ "a b": { DataType: "String", StringValue: "v" } }, "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."],
      [{ ["n".repeat(257)]: { DataType: "String", StringValue: "v" } }, "Length of message attribute name must be less than 256 bytes."],
    ];
    for (const [attributes, message] of cases) {
      const error = await attempt(attributes);
      expect(error, message).toBeInstanceOf(InvalidParameterValueException);
      expect(error.message).toBe(message);
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect((await attempt({ n: { DataType: "Number", StringValue: "twelve" } })).message).toContain("is not a number");
    expect((await attempt({ l: { DataType: "String.Array", StringValue: '[{"a":1}]' } })).message).toContain("must be a JSON array");
    expect((await attempt({ "AWS.trace": { DataType: "String", StringValue: "v" } })).message).toContain("reserved");
  });

  it("with MessageStructure json, keeps the default message in the sink (or its sink entry)", async () => {
    sns = await startSns();
    const TopicArn = await topic();
    await sns.client.send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "for everyone", email: "for email", n: 1 }) }));
    await sns.client.send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "d", sink: "for the sink" }) }));
    expect(sinkLines("OpsAlerts").map((r) => r.message)).toEqual(["for everyone", "for the sink"]);
  });
});

describe("FIFO topics", () => {
  it("require a message group and a deduplication ID, drop duplicates for five minutes and number messages in order", async () => {
    let clock = Date.parse("2026-11-26T08:00:00Z");
    sns = await startSns({ now: () => clock });
    const { client } = sns;
    const TopicArn = await topic("orders.fifo", { FifoTopic: "true" });
    const noGroup = await serviceError(client.send(new PublishCommand({ TopicArn, Message: "m", MessageDeduplicationId: "d1" })));
    expect(noGroup.message).toBe("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    const noDedup = await serviceError(client.send(new PublishCommand({ TopicArn, Message: "m", MessageGroupId: "g" })));
    expect(noDedup.message).toBe(
      "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    );

    const first = await client.send(new PublishCommand({ TopicArn, Message: "one", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
    const second = await client.send(new PublishCommand({ TopicArn, Message: "two", MessageGroupId: "g", MessageDeduplicationId: "d2" }));
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    expect(BigInt(second.SequenceNumber!)).toBeGreaterThan(BigInt(first.SequenceNumber!));
    clock += 4 * 60_000;
    const duplicate = await client.send(new PublishCommand({ TopicArn, Message: "one again", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
    expect(duplicate.MessageId).toBe(first.MessageId);
    expect(duplicate.SequenceNumber).toBe(first.SequenceNumber);
    clock += 61_000;
    const afterWindow = await client.send(new PublishCommand({ TopicArn, Message: "one later", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
    expect(afterWindow.MessageId).not.toBe(first.MessageId);
    expect(sinkLines("orders.fifo").map((r) => r.message)).toEqual(["one", "two", "one later"]);
  });

  it("deduplicate by content with ContentBasedDeduplication", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic("cbd.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
    const a = await client.send(new PublishCommand({ TopicArn, Message: "same", MessageGroupId: "g" }));
    const b = await client.send(new PublishCommand({ TopicArn, Message: "same", MessageGroupId: "other" }));
    const c = await client.send(new PublishCommand({ TopicArn, Message: "different", MessageGroupId: "g" }));
    expect(b.MessageId).toBe(a.MessageId);
    expect(c.MessageId).not.toBe(a.MessageId);
    expect(sinkLines("cbd.fifo").map((r) => r.message)).toEqual(["same", "different"]);
  });
});
