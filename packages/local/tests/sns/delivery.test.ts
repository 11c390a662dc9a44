import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createHttpServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LOCAL_SIGNATURE, type HttpNotificationEnvelope } from "../../src/sns/index.ts";
import { startSns, startWebhook, type SnsHarness, type Webhook } from "./harness.ts";

let sns: SnsHarness | undefined;
let hooks: Webhook[] = [];
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
  await Promise.all(hooks.map((h) => h.close()));
  hooks = [];
});

async function hook(answer?: Parameters<typeof startWebhook>[0]): Promise<Webhook> {
  const h = await startWebhook(answer);
  hooks.push(h);
  return h;
}

async function subscribed(endpoint: string, attributes?: Record<string, string>, topicName = "OpsAlerts") {
  const { TopicArn } = await sns!.client.send(new CreateTopicCommand({ Name: topicName }));
  const protocol = endpoint.startsWith("https:") ? "https" : "http";
  const { SubscriptionArn } = await sns!.client.send(new SubscribeCommand({ TopicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes }));
  return { TopicArn: TopicArn!, SubscriptionArn: SubscriptionArn! };
}

describe("HTTP/S delivery", () => {
  it("POSTs the SNS notification envelope with the x-amz-sns headers, and its UnsubscribeURL works", async () => {
    sns = await startSns({ now: () => Date.parse("2026-11-26T09:15:00.500Z") });
    const receiver = await hook();
    const { TopicArn, SubscriptionArn } = await subscribed(receiver.url);
    const { MessageId } = await sns.client.send(
      new PublishCommand({
        TopicArn,
        Subject: "DLQ growing",
        Message: "42 dead letters in the last hour",
        MessageAttributes: { reason: { DataType: "String", StringValue: "schema" }, raw: { DataType: "Binary", BinaryValue: new Uint8Array([7, 8]) } },
      }),
    );
    const [request] = await receiver.waitFor(1);
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe("/hook");
    expect(request!.headers).toMatchObject({
      "content-type": "text/plain; charset=UTF-8",
      "user-agent": "Amazon Simple Notification Service Agent",
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": MessageId,
      "x-amz-sns-topic-arn": TopicArn,
      "x-amz-sns-subscription-arn": SubscriptionArn,
    } satisfies IncomingHttpHeaders);
    const envelope = JSON.parse(request!.body) as HttpNotificationEnvelope;
    expect(Object.keys(envelope)).toEqual([
      "Type",
      "MessageId",
      "TopicArn",
      "Subject",
      "Message",
      "Timestamp",
      "SignatureVersion",
      "Signature",
      "SigningCertURL",
      "UnsubscribeURL",
      "MessageAttributes",
    ]);
    expect(envelope).toMatchObject({
      Type: "Notification",
      MessageId,
      TopicArn,
      Subject: "DLQ growing",
      Message: "42 dead letters in the last hour",
      Timestamp: "2026-11-26T09:15:00.500Z",
      SignatureVersion: "1",
      Signature: LOCAL_SIGNATURE,
      MessageAttributes: { reason: { Type: "String", Value: "schema" }, raw: { Type: "Binary", Value: "Bwg=" } },
    });
    expect(envelope.UnsubscribeURL).toBe(`${sns.endpoint.url}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);

    const cert = await fetch(envelope.SigningCertURL);
    expect(cert.status).toBe(404);
    expect(await cert.text()).toContain("does not sign deliveries");
    // The UnsubscribeURL is an unsigned GET, as a subscriber (or a person) follows it.
    const unsubscribe = await fetch(envelope.UnsubscribeURL);
    expect(unsubscribe.status).toBe(200);
    expect(await unsubscribe.text()).toContain("<UnsubscribeResponse");
    expect((await sns.client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual([]);
  });

  it("sends the bare message with RawMessageDelivery, and the protocol's entry of a json-structured message", async () => {
    sns = await startSns();
    const raw = await hook();
    const structured = await hook();
    const { TopicArn } = await subscribed(raw.url, { RawMessageDelivery: "true" });
    await sns.client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: structured.url }));
    await sns.client.send(new PublishCommand({ TopicArn, Message: '{"load":"failed"}', MessageAttributes: { a: { DataType: "String", StringValue: "b" } } }));
    const [rawRequest] = await raw.waitFor(1);
    expect(rawRequest!.body).toBe('{"load":"failed"}');
    expect(rawRequest!.headers["x-amz-sns-rawdelivery"]).toBe("true");

    await sns.client.send(
      new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "plain text", http: "for webhooks" }), MessageAttributes: { a: { DataType: "String", StringValue: "b" } } }),
    );
    const [, second] = await structured.waitFor(2);
    const envelope = JSON.parse(second!.body) as HttpNotificationEnvelope;
    expect(envelope.Message).toBe("for webhooks");
    expect(envelope.MessageAttributes).toBeUndefined(); // attributes go only with string-structured messages
    expect((await raw.waitFor(2))[1]!.body).toBe("for webhooks"); // raw http delivery: the bare `http` entry
  });

  it("retries server errors with backoff and stops at the first success", async () => {
    sns = await startSns({ delivery: { retries: 3, baseDelayMs: 20 } });
    const receiver = await hook((index) => (index < 2 ? 503 : 200));
    const { TopicArn } = await subscribed(receiver.url);
    const started = Date.now();
    const { MessageId } = await sns.client.send(new PublishCommand({ TopicArn, Message: "flaky" }));
    await sns.service.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers["x-amz-sns-message-id"]))).toEqual(new Set([MessageId]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40);
    expect(sns.logs).toEqual([]);
  });

  it("gives up after the retries, logs the failure, and keeps serving", async () => {
    sns = await startSns({ delivery: { retries: 2, baseDelayMs: 5 } });
    const broken = await hook(() => 500);
    const rejecting = await hook(() => 403);
    const { TopicArn } = await subscribed(broken.url);
    await sns.client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: rejecting.url }));
    const { MessageId } = await sns.client.send(new PublishCommand({ TopicArn, Message: "doomed" }));
    await sns.service.idle();
    expect(broken.received).toHaveLength(3);
    expect(rejecting.received).toHaveLength(1); // a 4xx is permanent: no retry
    expect(sns.logs.sort()).toEqual(
      [
        `[sns OpsAlerts] delivery of message ${MessageId} to ${broken.url} failed after 3 attempts: HTTP 500`,
        `[sns OpsAlerts] delivery of message ${MessageId} to ${rejecting.url} failed after 1 attempt: HTTP 403`,
      ].sort(),
    );
    const next = await sns.client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "1", Message: "still up" }] }));
    expect(next.Successful).toHaveLength(1);
  });

  it("treats a refused connection or a subscriber that never answers as a failed attempt", async () => {
    sns = await startSns({ delivery: { retries: 1, baseDelayMs: 5, timeoutMs: 150 } });
    const closed = await hook();
    const closedUrl = closed.url;
    await closed.close();
    hooks = [];
    const silent = createHttpServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const { TopicArn } = await subscribed(closedUrl);
      await sns.client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: silentUrl }));
      await sns.client.send(new PublishCommand({ TopicArn, Message: "into the void" }));
      await sns.service.idle();
      expect(sns.logs.find((l) => l.includes(closedUrl))).toMatch(/failed after 2 attempts: .*ECONNREFUSED/);
      expect(sns.logs.find((l) => l.includes(silentUrl))).toMatch(/failed after 2 attempts: no answer within 150 ms$/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("answers Publish without waiting for subscribers", async () => {
    sns = await startSns();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const arrived: string[] = [];
    const slow = createHttpServer((req, res) => {
      arrived.push(req.headers["x-amz-sns-message-id"] as string);
      void held.then(() => res.end());
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const { TopicArn } = await subscribed(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`);
      const { MessageId } = await sns.client.send(new PublishCommand({ TopicArn, Message: "m" }));
      let idle = false;
      const idling = sns.service.idle().then(() => (idle = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(idle).toBe(false); // the delivery is still held by the subscriber
      release();
      await idling;
      expect(arrived).toEqual([MessageId]);
      expect(sns.logs).toEqual([]);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it("abandons pending retries at close, logging them, without waiting out the backoff", async () => {
    sns = await startSns({ delivery: { retries: 3, baseDelayMs: 60_000 } });
    const receiver = await hook(() => 500);
    const { TopicArn } = await subscribed(receiver.url);
    await sns.client.send(new PublishCommand({ TopicArn, Message: "late" }));
    await receiver.waitFor(1);
    await sns.stop();
    // One attempt, not four: the stop did not wait out the minute-long backoff to retry.
    expect(sns.logs).toHaveLength(1);
    // The shutdown catches the delivery either reading the 500 or waiting to retry after it.
    expect(sns.logs[0]).toMatch(/failed after 1 attempt: abandoned at shutdown \(last: (HTTP 500|.*aborted)\)$/);
  });

  it("delivers to an https endpoint on loopback with a self-signed certificate", async () => {
    sns = await startSns();
    const bodies: string[] = [];
    const server = createHttpsServer(
      { key: readFileSync(new URL("./fixtures/loopback-key.pem", import.meta.url)), cert: readFileSync(new URL("./fixtures/loopback-cert.pem", import.meta.url)) },
      (req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString("utf8")));
        req.on("end", () => {
          bodies.push(body);
          res.end();
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { TopicArn } = await subscribed(`https://localhost:${(server.address() as AddressInfo).port}/secure`);
      await sns.client.send(new PublishCommand({ TopicArn, Message: "over TLS" }));
      await sns.service.idle();
      expect(bodies.map((b) => (JSON.parse(b) as HttpNotificationEnvelope).Message)).toEqual(["over TLS"]);
      expect(sns.logs).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("log subscriptions", () => {
  it("print one line per message through the log option: topic, label, subject, first line", async () => {
    sns = await startSns({ topics: [{ name: "MarketingAlerts", log: true }] });
    const TopicArn = sns.service.topicArn("MarketingAlerts");
    await sns.client.send(new SubscribeCommand({ TopicArn, Protocol: "log", Endpoint: "dashboard" }));
    const { MessageId } = await sns.client.send(new PublishCommand({ TopicArn, Subject: "Signups spiked", Message: "signups +340% vs forecast\nscore 4.2" }));
    expect(sns.logs.sort()).toEqual([
      `[sns MarketingAlerts → dashboard] Signups spiked — signups +340% vs forecast (message ${MessageId})`,
      `[sns MarketingAlerts] Signups spiked — signups +340% vs forecast (message ${MessageId})`,
    ]);
  });
});
