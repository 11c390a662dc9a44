import {
  BatchEntryIdsNotDistinctException,
  BatchRequestTooLongException,
  CreateTopicCommand,
  EmptyBatchRequestException,
  InvalidBatchEntryIdException,
  NotFoundException,
  PublishBatchCommand,
  TooManyEntriesInBatchRequestException,
  type PublishBatchRequestEntry,
} from "@aws-sdk/client-sns";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SinkRecord } from "../../src/sns/index.ts";
import { serviceError, startSns, type SnsHarness } from "./harness.ts";

let sns: SnsHarness | undefined;
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
});

async function topic(name = "MarketingAlerts", attributes?: Record<string, string>): Promise<string> {
  return (await sns!.client.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
}

function sink(name: string): SinkRecord[] {
  const file = join(sns!.dataDir, "sns", `${name}.ndjson`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as SinkRecord);
}

describe("PublishBatch", () => {
  it("publishes valid entries and reports invalid ones per entry, in request order", async () => {
    sns = await startSns();
    const TopicArn = await topic();
    const entries: PublishBatchRequestEntry[] = [
      { Id: "ok-1", Message: "first", Subject: "Spike", MessageAttributes: { metric: { DataType: "String", StringValue: "signups" } } },
      { Id: "empty", Message: "" },
      { Id: "ok_2", Message: "second" },
      { Id: "bad-attr", Message: "m", MessageAttributes: { x: { DataType: "Colour", StringValue: "red" } } },
      { Id: "bad-subject", Message: "m", Subject: "line\nbreak" },
    ];
    const out = await sns.client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
    expect(out.Successful!.map((s) => s.Id)).toEqual(["ok-1", "ok_2"]);
    expect(out.Successful!.every((s) => /^[0-9a-f-]{36}$/.test(s.MessageId!))).toBe(true);
    expect(out.Failed).toEqual([
      { Id: "empty", Code: "InvalidParameter", Message: "Invalid parameter: Empty message", SenderFault: true },
      {
        Id: "bad-attr",
        Code: "ParameterValueInvalid",
        Message: "The message attribute 'x' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
        SenderFault: true,
      },
      { Id: "bad-subject", Code: "InvalidParameter", Message: "Invalid parameter: Subject", SenderFault: true },
    ]);
    const lines = sink("MarketingAlerts");
    expect(lines.map((l) => [l.messageId, l.message, l.subject])).toEqual([
      [out.Successful![0]!.MessageId, "first", "Spike"],
      [out.Successful![1]!.MessageId, "second", null],
    ]);
    expect(lines[0]!.attributes).toEqual({ metric: { Type: "String", Value: "signups" } });
  });

  it("fails the whole request for no entries, more than ten, bad or repeated ids, too many bytes, an unknown topic", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, Message: `m${i}` }));

    const cases: [string, PublishBatchRequestEntry[], unknown, string, string?][] = [
      ["empty", [], EmptyBatchRequestException, "The batch request doesn't contain any entries."],
      ["eleven", entries(11), TooManyEntriesInBatchRequestException, "The batch request contains more entries than permissible."],
      ["same ids", [{ Id: "a", Message: "1" }, { Id: "a", Message: "2" }], BatchEntryIdsNotDistinctException, "Two or more batch entries in the request have the same Id."],
      ["bad id", [{ Id: "has space", Message: "1" }], InvalidBatchEntryIdException, "The Id of a batch entry in a batch request doesn't abide by the specification."],
      ["long id", [{ Id: "i".repeat(81), Message: "1" }], InvalidBatchEntryIdException, "The Id of a batch entry in a batch request doesn't abide by the specification."],
      [
        "too long",
        [{ Id: "a", Message: "x".repeat(200_000) }, { Id: "b", Message: "y".repeat(62_145) }],
        BatchRequestTooLongException,
        "The length of all the messages put together is more than the limit.",
      ],
      ["unknown topic", entries(1), NotFoundException, "Topic does not exist", `${TopicArn}-gone`],
    ];
    for (const [what, batch, type, message, arn] of cases) {
      const error = await serviceError(client.send(new PublishBatchCommand({ TopicArn: arn ?? TopicArn, PublishBatchRequestEntries: batch })));
      expect(error, what).toBeInstanceOf(type);
      expect(error.message, what).toBe(message);
      expect(error.$metadata.httpStatusCode, what).toBe(type === NotFoundException ? 404 : 400);
    }
    expect(sink("MarketingAlerts")).toEqual([]);

    // Exactly ten entries and exactly 256 KB in all are within the limits.
    const ten = await client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries(10) }));
    expect(ten.Successful).toHaveLength(10);
    const full = await client.send(
      new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "x".repeat(200_000) }, { Id: "b", Message: "y".repeat(62_144) }] }),
    );
    expect(full.Successful).toHaveLength(2);
  });

  it("numbers FIFO entries in order and drops in-batch duplicates without failing them", async () => {
    sns = await startSns();
    const TopicArn = await topic("ledger.fifo", { FifoTopic: "true" });
    const out = await sns.client.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: "a", Message: "one", MessageGroupId: "g", MessageDeduplicationId: "1" },
          { Id: "b", Message: "two", MessageGroupId: "g", MessageDeduplicationId: "2" },
          { Id: "c", Message: "one again", MessageGroupId: "g", MessageDeduplicationId: "1" },
          { Id: "d", Message: "no group", MessageDeduplicationId: "3" },
        ],
      }),
    );
    const [a, b, c] = out.Successful!;
    expect(BigInt(b!.SequenceNumber!)).toBeGreaterThan(BigInt(a!.SequenceNumber!));
    expect(c!.MessageId).toBe(a!.MessageId);
    expect(out.Failed).toEqual([
      { Id: "d", Code: "InvalidParameter", Message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", SenderFault: true },
    ]);
    expect(sink("ledger.fifo").map((r) => r.message)).toEqual(["one", "two"]);
  });
});
