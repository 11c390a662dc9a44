import { CreateTopicCommand, InternalErrorException, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serviceError, startSns, startWebhook, type SnsHarness, type Webhook } from "./harness.ts";

let sns: SnsHarness | undefined;
let hook: Webhook | undefined;
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
  await hook?.close();
  hook = undefined;
});

/** A form POST as an SDK would send it, signed for `sns` (the endpoint routes on the credential scope, not the signature). */
async function rawPost(body: string, service = "sns"): Promise<{ status: number; text: string }> {
  const response = await fetch(sns!.endpoint.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe("hostile and broken input", () => {
  it("answers malformed requests with SNS error documents and keeps serving", async () => {
    sns = await startSns();
    const cases: [string, number, string][] = [
      ["", 400, "<Code>InvalidAction</Code>"],
      ["Action=DeleteEverything", 400, "<Code>InvalidAction</Code>"],
      ["Action=CreateTopic", 400, "<Code>ValidationError</Code>"],
      ["Action=CreateTopic&Name=a&Attributes.entry.1.value=orphan", 200, "<TopicArn>arn:aws:sns:us-east-1:000000000000:a</TopicArn>"],
      ["Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:a&Message=m&MessageAttributes.entry.x.Name=ignored", 200, "<MessageId>"],
      ["Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:a&Message=m&MessageAttributes.entry.1.Name=b&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=%25%25%25", 400, "<Code>ParameterValueInvalid</Code>"],
      ["Action=Publish&TopicArn=%00%FF&Message=m", 400, "<Code>InvalidParameter</Code>"],
      ["Action=ListTopics&NextToken=djE6bm90LWFuLWFybg", 400, "Invalid parameter: NextToken"],
      ["Action=PublishBatch&TopicArn=arn:aws:sns:us-east-1:000000000000:a&PublishBatchRequestEntries.member.1.Id=a", 400, "<Code>ValidationError</Code>"],
      ["Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:a&Subject=%01&Message=m", 400, "Invalid parameter: Subject"],
    ];
    for (const [body, status, fragment] of cases) {
      const answer = await rawPost(body);
      expect(answer.status, body).toBe(status);
      expect(answer.text, body).toContain(fragment);
      if (status >= 400) expect(answer.text, body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type>/);
    }
    // An unsigned POST is not SNS's (the endpoint's fallback is S3), and an unsigned GET may only unsubscribe.
    const unsigned = await fetch(sns.endpoint.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListTopics" });
    expect(await unsigned.text()).not.toContain("ListTopicsResponse");
    const unsignedList = await fetch(`${sns.endpoint.url}/?Action=ListTopics&SubscriptionArn=arn:aws:sns:x`);
    expect(await unsignedList.text()).not.toContain("ListTopicsResponse");
    const badUnsubscribe = await fetch(`${sns.endpoint.url}/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:x`);
    expect(await badUnsubscribe.text()).toContain("Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 4");

    const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "still-up" }));
    expect(TopicArn).toBeDefined();
  });

  it("escapes markup and drops XML-illegal characters in answers, so the SDK always parses them", async () => {
    sns = await startSns();
    const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "esc", Attributes: { DisplayName: `<b>&"'\u0001` } }));
    const answer = await rawPost(`Action=GetTopicAttributes&TopicArn=${encodeURIComponent(TopicArn!)}`);
    expect(answer.text).toContain("<key>DisplayName</key><value>&lt;b&gt;&amp;&quot;&apos;</value>");
  });

  it("accepts 200 concurrent publishes to one topic as 200 whole sink lines", async () => {
    sns = await startSns();
    const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "busy" }));
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => sns!.client.send(new PublishCommand({ TopicArn, Message: `m${i} ${"x".repeat(i * 100)}` }))),
    );
    const lines = readFileSync(join(sns.dataDir, "sns", "busy.ndjson"), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(200);
    const ids = lines.map((l) => (JSON.parse(l) as { messageId: string }).messageId);
    expect(new Set(ids)).toEqual(new Set(sent.map((s) => s.MessageId)));
  });

  it("fails Publish with InternalError, delivering nothing, when the sink cannot be written", async () => {
    sns = await startSns();
    hook = await startWebhook();
    const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "blocked" }));
    await sns.client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: hook.url }));
    mkdirSync(join(sns.dataDir, "sns", "blocked.ndjson")); // a directory where the sink file should be
    const error = await serviceError(sns.client.send(new PublishCommand({ TopicArn, Message: "lost?" })));
    expect(error).toBeInstanceOf(InternalErrorException);
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$fault).toBe("server");
    await sns.service.idle();
    expect(hook.received).toEqual([]);
    expect(sns.logs.some((l) => l.startsWith("[sns] Publish failed: Cannot append to the topic's sink file"))).toBe(true);
  });

  it("lets a FIFO publish that failed to be stored be retried with the same deduplication ID", async () => {
    sns = await startSns();
    const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "retry.fifo", Attributes: { FifoTopic: "true" } }));
    const sink = join(sns.dataDir, "sns", "retry.fifo.ndjson");
    mkdirSync(sink);
    const send = () => sns!.client.send(new PublishCommand({ TopicArn, Message: "once", MessageGroupId: "g", MessageDeduplicationId: "d" }));
    expect(await serviceError(send())).toBeInstanceOf(InternalErrorException);
    rmSync(sink, { recursive: true });
    const retried = await send();
    const lines = readFileSync(sink, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { messageId: string });
    expect(lines.map((l) => l.messageId)).toEqual([retried.MessageId]);
  });

  it("survives a logger that throws", async () => {
    sns = await startSns({
      log: () => {
        throw new Error("logger down");
      },
      topics: [{ name: "loud", log: true }],
    });
    const out = await sns.client.send(new PublishCommand({ TopicArn: sns.service.topicArn("loud"), Message: "still published" }));
    expect(out.MessageId).toBeDefined();
  });
});
