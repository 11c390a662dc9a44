import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  ResourceNotFoundException,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagLimitExceededException,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListTopics,
} from "@aws-sdk/client-sns";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { createS3Service } from "../../src/s3/index.ts";
import { serviceError, startSns, type SnsHarness } from "./harness.ts";

let sns: SnsHarness | undefined;
afterEach(async () => {
  await sns?.dispose();
  sns = undefined;
});

const ARN = (name: string) => `arn:aws:sns:us-east-1:000000000000:${name}`;

describe("topics", () => {
  it("creates a topic idempotently and refuses a repeat that contradicts its attributes or tags", async () => {
    sns = await startSns();
    const { client } = sns;
    const created = await client.send(
      new CreateTopicCommand({ Name: "OpsAlerts", Attributes: { DisplayName: "Ops" }, Tags: [{ Key: "team", Value: "data" }] }),
    );
    expect(created.TopicArn).toBe(ARN("OpsAlerts"));
    const again = await client.send(new CreateTopicCommand({ Name: "OpsAlerts", Attributes: { DisplayName: "Ops" } }));
    expect(again.TopicArn).toBe(created.TopicArn);
    expect((await client.send(new CreateTopicCommand({ Name: "OpsAlerts" }))).TopicArn).toBe(created.TopicArn);

    const attrs = await serviceError(client.send(new CreateTopicCommand({ Name: "OpsAlerts", Attributes: { DisplayName: "Other" } })));
    expect(attrs).toBeInstanceOf(InvalidParameterException);
    expect(attrs.message).toBe("Invalid parameter: Attributes Reason: Topic already exists with different attributes");
    expect(attrs.$metadata.httpStatusCode).toBe(400);
    const tags = await serviceError(client.send(new CreateTopicCommand({ Name: "OpsAlerts", Tags: [{ Key: "team", Value: "web" }] })));
    expect(tags.message).toBe("Invalid parameter: Tags Reason: Topic already exists with different tags");

    const listed = await client.send(new ListTopicsCommand({}));
    expect(listed.Topics).toEqual([{ TopicArn: ARN("OpsAlerts") }]);
    expect(listed.NextToken).toBeUndefined();
  });

  it("rejects topic names SNS rejects and enforces the .fifo naming rule", async () => {
    sns = await startSns();
    const { client } = sns;
    for (const name of ["", "has space", "dots.in.name", "x".repeat(257), "ümlaut"]) {
      const error = await serviceError(client.send(new CreateTopicCommand({ Name: name })));
      expect(error, name).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toBe("Invalid parameter: Topic Name");
    }
    expect((await client.send(new CreateTopicCommand({ Name: "x".repeat(256) }))).TopicArn).toBe(ARN("x".repeat(256)));
    const fifoName = await serviceError(client.send(new CreateTopicCommand({ Name: "orders", Attributes: { FifoTopic: "true" } })));
    expect(fifoName.message).toMatch(/^Invalid parameter: Fifo Topic names must end with \.fifo/);
    const cbd = await serviceError(client.send(new CreateTopicCommand({ Name: "plain", Attributes: { ContentBasedDeduplication: "true" } })));
    expect(cbd.message).toBe("Invalid parameter: Attributes Reason: ContentBasedDeduplication applies only to FIFO topics");
    const unknown = await serviceError(client.send(new CreateTopicCommand({ Name: "plain", Attributes: { Colour: "blue" } })));
    expect(unknown.message).toBe("Invalid parameter: Attributes Reason: Unknown attribute: Colour");
    const badPolicy = await serviceError(client.send(new CreateTopicCommand({ Name: "plain", Attributes: { Policy: "{not json" } })));
    expect(badPolicy).toBeInstanceOf(InvalidParameterException);

    const fifo = await client.send(new CreateTopicCommand({ Name: "orders.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
    const attributes = (await client.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes!;
    expect(attributes).toMatchObject({ FifoTopic: "true", ContentBasedDeduplication: "true" });
  });

  it("reports the attributes AWS reports, keeps what was set, and counts subscriptions", async () => {
    sns = await startSns();
    const { client } = sns;
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: "MarketingAlerts", Attributes: { DisplayName: "Marketing", SignatureVersion: "2" } }));
    await client.send(new SubscribeCommand({ TopicArn, Protocol: "log" }));
    await client.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "team@example.com" }));
    const attributes = (await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(attributes).toMatchObject({
      TopicArn,
      Owner: "000000000000",
      DisplayName: "Marketing",
      SignatureVersion: "2",
      SubscriptionsConfirmed: "1",
      SubscriptionsPending: "1",
      SubscriptionsDeleted: "0",
    });
    const policy = JSON.parse(attributes.Policy!);
    expect(policy.Statement[0].Resource).toBe(TopicArn);
    expect(policy.Statement[0].Action).toContain("SNS:Publish");
    expect(JSON.parse(attributes.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);

    await client.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: "Growth" }));
    const deliveryPolicy = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 } } });
    await client.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DeliveryPolicy", AttributeValue: deliveryPolicy }));
    const after = (await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(after.DisplayName).toBe("Growth");
    expect(after.DeliveryPolicy).toBe(deliveryPolicy);
    expect(after.EffectiveDeliveryPolicy).toBe(deliveryPolicy);

    const readOnly = await serviceError(client.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Owner", AttributeValue: "1" })));
    expect(readOnly.message).toBe("Invalid parameter: AttributeName");
    const fifoFlip = await serviceError(client.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "FifoTopic", AttributeValue: "true" })));
    expect(fifoFlip.message).toBe("Invalid parameter: AttributeName");
  });

  it("answers NotFound for unknown topics and InvalidParameter for malformed or foreign-region ARNs", async () => {
    sns = await startSns();
    const { client } = sns;
    const missing = await serviceError(client.send(new GetTopicAttributesCommand({ TopicArn: ARN("Nope") })));
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(missing.message).toBe("Topic does not exist");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const otherAccount = await serviceError(client.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:111111111111:Nope" })));
    expect(otherAccount).toBeInstanceOf(NotFoundException);
    for (const arn of ["Nope", "arn:aws:sns:eu-west-1:000000000000:Nope", "arn:aws:sqs:us-east-1:000000000000:q"]) {
      const error = await serviceError(client.send(new GetTopicAttributesCommand({ TopicArn: arn })));
      expect(error, arn).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toBe("Invalid parameter: TopicArn");
    }
  });

  it("pages ListTopics 100 at a time and survives a deletion between pages", async () => {
    sns = await startSns();
    const { client } = sns;
    const names = Array.from({ length: 230 }, (_, i) => `topic-${String(i).padStart(3, "0")}`);
    await Promise.all(names.map((Name) => client.send(new CreateTopicCommand({ Name }))));

    const first = await client.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    // Deleting a topic already listed must not shift the next page.
    await client.send(new DeleteTopicCommand({ TopicArn: first.Topics![5]!.TopicArn }));
    const second = await client.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.Topics![0]!.TopicArn).toBe(ARN("topic-100"));

    const all: string[] = [];
    for await (const page of paginateListTopics({ client }, {})) all.push(...page.Topics!.map((t) => t.TopicArn!));
    expect(all).toEqual(names.filter((n) => n !== "topic-005").map(ARN));

    const bad = await serviceError(client.send(new ListTopicsCommand({ NextToken: "garbage!" })));
    expect(bad.message).toBe("Invalid parameter: NextToken");
  });

  it("deletes topics idempotently, with their subscriptions", async () => {
    sns = await startSns();
    const { client } = sns;
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: "Doomed" }));
    await client.send(new SubscribeCommand({ TopicArn, Protocol: "log" }));
    await client.send(new DeleteTopicCommand({ TopicArn }));
    await client.send(new DeleteTopicCommand({ TopicArn }));
    expect((await client.send(new ListTopicsCommand({}))).Topics).toEqual([]);
    expect(await serviceError(client.send(new GetTopicAttributesCommand({ TopicArn })))).toBeInstanceOf(NotFoundException);
    // Recreated, it starts with no subscriptions.
    await client.send(new CreateTopicCommand({ Name: "Doomed" }));
    expect((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.SubscriptionsConfirmed).toBe("0");
  });

  it("tags topics: list, add, replace, remove, the 50-tag quota, unknown resources", async () => {
    sns = await startSns();
    const { client } = sns;
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: "Tagged", Tags: [{ Key: "a", Value: "1" }] }));
    await client.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: "b", Value: "2" }, { Key: "a", Value: "one" }] }));
    await client.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ["b"] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([{ Key: "a", Value: "one" }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await serviceError(client.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: many })))).toBeInstanceOf(TagLimitExceededException);
    const unknown = await serviceError(client.send(new ListTagsForResourceCommand({ ResourceArn: ARN("Nope") })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect(unknown.$metadata.httpStatusCode).toBe(404);
  });

  it("keeps topics, attributes, tags and subscriptions across a restart on the same data directory", async () => {
    sns = await startSns();
    const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "Durable", Attributes: { DisplayName: "D" }, Tags: [{ Key: "k", Value: "v" }] }));
    const { SubscriptionArn } = await sns.client.send(new SubscribeCommand({ TopicArn, Protocol: "log", Endpoint: "console" }));
    await sns.stop();
    const dataDir = sns.dataDir;
    sns = await startSns({ dataDir });
    const { client } = sns;
    expect((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ DisplayName: "D", SubscriptionsConfirmed: "1" });
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([{ Key: "k", Value: "v" }]);
    const again = await client.send(new SubscribeCommand({ TopicArn, Protocol: "log", Endpoint: "console" }));
    expect(again.SubscriptionArn).toBe(SubscriptionArn);
  });

  it("creates the configured topics at start, idempotently, with a log subscription when asked", async () => {
    sns = await startSns({ topics: [{ name: "MarketingAlerts", log: true }, { name: "OpsAlerts" }] });
    await sns.stop();
    sns = await startSns({ dataDir: sns.dataDir, topics: [{ name: "MarketingAlerts", log: true }, { name: "OpsAlerts" }] });
    const { client, service } = sns;
    expect((await client.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn)).toEqual([
      service.topicArn("MarketingAlerts"),
      service.topicArn("OpsAlerts"),
    ]);
    const marketing = (await client.send(new GetTopicAttributesCommand({ TopicArn: service.topicArn("MarketingAlerts") }))).Attributes!;
    expect(marketing.SubscriptionsConfirmed).toBe("1");
    const ops = (await client.send(new GetTopicAttributesCommand({ TopicArn: service.topicArn("OpsAlerts") }))).Attributes!;
    expect(ops.SubscriptionsConfirmed).toBe("0");
  });

  it("shares the endpoint with S3 registered after it, each answering its own clients", async () => {
    sns = await startSns({}, (dataDir) => [createS3Service({ dataDir })]);
    const s3 = new S3Client({ endpoint: sns.endpoint.url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
      await s3.send(new PutObjectCommand({ Bucket: "lake", Key: "a.txt", Body: "hello" }));
      const { TopicArn } = await sns.client.send(new CreateTopicCommand({ Name: "lake" }));
      expect(TopicArn).toBe(ARN("lake"));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: "lake", Key: "a.txt" }))).Body!.transformToString()).toBe("hello");
    } finally {
      s3.destroy();
    }
  });
});
