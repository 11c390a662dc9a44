import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  NotFoundException,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  paginateListSubscriptions,
} from "@aws-sdk/client-sns";
import { afterEach, describe, expect, it } from "vitest";
import { serviceError, startSns, type SnsHarness } from "./harness.ts";

let sns: SnsHarness | undefined;
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
});

async function topic(name = "OpsAlerts"): Promise<string> {
  return (await sns!.client.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
}

const SUBSCRIPTION_ARN = /^arn:aws:sns:us-east-1:000000000000:OpsAlerts:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("subscriptions", () => {
  it("subscribes loopback webhooks and the log, confirmed at once, and returns the same ARN for a repeat", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    for (const endpoint of ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "https://127.0.0.1:9/hook", "http://[::1]:9/x"]) {
      const protocol = endpoint.startsWith("https") ? "https" : "http";
      const { SubscriptionArn } = await client.send(new SubscribeCommand({ TopicArn, Protocol: protocol, Endpoint: endpoint }));
      expect(SubscriptionArn, endpoint).toMatch(SUBSCRIPTION_ARN);
      const again = await client.send(new SubscribeCommand({ TopicArn, Protocol: protocol, Endpoint: endpoint }));
      expect(again.SubscriptionArn).toBe(SubscriptionArn);
    }
    const log = await client.send(new SubscribeCommand({ TopicArn, Protocol: "log", Endpoint: "console" }));
    expect(log.SubscriptionArn).toMatch(SUBSCRIPTION_ARN);
    const attrs = (await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: log.SubscriptionArn }))).Attributes!;
    expect(attrs).toMatchObject({ Protocol: "log", Endpoint: "console", PendingConfirmation: "false", TopicArn, Owner: "000000000000" });
    expect((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.SubscriptionsConfirmed).toBe("5");
  });

  it("refuses endpoints off this machine, protocol mismatches and protocols with no local delivery", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    const remote = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "https", Endpoint: "https://hooks.slack.com/services/x" })));
    expect(remote).toBeInstanceOf(InvalidParameterException);
    expect(remote.message).toBe(
      "Invalid parameter: Endpoint Reason: the local SNS service delivers only to loopback hosts (127.0.0.1, localhost, ::1), not hooks.slack.com",
    );
    const lan = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: "http://10.0.0.8/hook" })));
    expect(lan).toBeInstanceOf(InvalidParameterException);
    const mismatch = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "https", Endpoint: "http://127.0.0.1/x" })));
    expect(mismatch.message).toBe("Invalid parameter: Endpoint must match the specified protocol");
    const notUrl = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: "not a url" })));
    expect(notUrl).toBeInstanceOf(InvalidParameterException);
    for (const protocol of ["sqs", "lambda", "sms", "firehose", "application"]) {
      const error = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: protocol, Endpoint: "arn:aws:sqs:us-east-1:000000000000:q" })));
      expect(error, protocol).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toContain(`does not deliver to ${protocol}`);
    }
    const unknown = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "carrier-pigeon", Endpoint: "x" })));
    expect(unknown.message).toBe("Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
    const sink = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "sink" })));
    expect(sink.message).toContain("already writes each message to its sink file");
    const noEndpoint = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "http" })));
    expect(noEndpoint).toBeInstanceOf(NotFoundException);
    const noTopic = await serviceError(client.send(new SubscribeCommand({ TopicArn: `${TopicArn}-x`, Protocol: "log" })));
    expect(noTopic).toBeInstanceOf(NotFoundException);
    expect((await client.send(new ListSubscriptionsCommand({}))).Subscriptions).toEqual([]);
  });

  it("keeps email subscriptions pending: 'pending confirmation' unless ReturnSubscriptionArn, listed as PendingConfirmation", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    const plain = await client.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com" }));
    expect(plain.SubscriptionArn).toBe("pending confirmation");
    const withArn = await client.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com", ReturnSubscriptionArn: true }));
    expect(withArn.SubscriptionArn).toMatch(SUBSCRIPTION_ARN);
    const listed = (await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
    expect(listed).toEqual([{ SubscriptionArn: "PendingConfirmation", Owner: "000000000000", Protocol: "email", Endpoint: "ops@example.com", TopicArn }]);
    expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: withArn.SubscriptionArn }))).Attributes!.PendingConfirmation).toBe("true");
    expect(await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "not-an-address" })))).toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it("validates subscription attributes, keeps RawMessageDelivery and refuses what it cannot honour", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    const Endpoint = "http://127.0.0.1:9/raw";
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint, Attributes: { RawMessageDelivery: "TRUE" }, ReturnSubscriptionArn: true }),
    );
    expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({
      RawMessageDelivery: "true",
      Protocol: "http",
      Endpoint,
    });
    const conflict = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint, Attributes: { RawMessageDelivery: "false" } })));
    expect(conflict.message).toBe("Invalid parameter: Attributes Reason: Subscription already exists with different attributes");

    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "false" }));
    expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!.RawMessageDelivery).toBe("false");

    const filter = await serviceError(
      client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"a":["b"]}' })),
    );
    expect(filter).toBeInstanceOf(InvalidParameterException);
    expect(filter.message).toContain("filter policies are not supported");
    const bad = await serviceError(client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "yes" })));
    expect(bad.message).toContain("Must be true or false");
    const unknown = await serviceError(client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "Colour", AttributeValue: "x" })));
    expect(unknown.message).toBe("Invalid parameter: AttributeName");
    const logRaw = await serviceError(client.send(new SubscribeCommand({ TopicArn, Protocol: "log", Attributes: { RawMessageDelivery: "true" } })));
    expect(logRaw.message).toContain("Delivery protocol [log] does not support raw message delivery.");
  });

  it("unsubscribes, idempotently for a well-formed ARN, and rejects malformed ones as AWS does", async () => {
    sns = await startSns();
    const { client } = sns;
    const TopicArn = await topic();
    const { SubscriptionArn } = await client.send(new SubscribeCommand({ TopicArn, Protocol: "log" }));
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual([]);
    expect((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.SubscriptionsDeleted).toBe("1");
    const gone = await serviceError(client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })));
    expect(gone).toBeInstanceOf(NotFoundException);
    expect(gone.message).toBe("Subscription does not exist");

    const short = await serviceError(client.send(new UnsubscribeCommand({ SubscriptionArn: "nonsense" })));
    expect(short.message).toBe("Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1");
    const topicArn = await serviceError(client.send(new UnsubscribeCommand({ SubscriptionArn: TopicArn })));
    expect(topicArn.message).toBe("Invalid parameter: SubscriptionId");
  });

  it("lists subscriptions across topics, 100 per page, and by topic", async () => {
    sns = await startSns();
    const { client } = sns;
    const ops = await topic("OpsAlerts");
    const marketing = await topic("MarketingAlerts");
    const ports = Array.from({ length: 130 }, (_, i) => 10_000 + i);
    for (const port of ports) {
      await client.send(new SubscribeCommand({ TopicArn: port % 2 ? ops : marketing, Protocol: "http", Endpoint: `http://127.0.0.1:${port}/` }));
    }
    const first = await client.send(new ListSubscriptionsCommand({}));
    expect(first.Subscriptions).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    const all = [];
    for await (const page of paginateListSubscriptions({ client }, {})) all.push(...page.Subscriptions!);
    expect(all.map((s) => s.Endpoint).sort()).toEqual(ports.map((p) => `http://127.0.0.1:${p}/`).sort());
    expect(new Set(all.map((s) => s.SubscriptionArn)).size).toBe(130);
    const byTopic = (await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: ops }))).Subscriptions!;
    expect(byTopic).toHaveLength(65);
    expect(byTopic.every((s) => s.TopicArn === ops && s.Protocol === "http" && s.Owner === "000000000000")).toBe(true);
  });
});
