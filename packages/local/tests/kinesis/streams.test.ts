import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  ListStreamsCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serviceError, startKinesis, type KinesisHarness } from "./harness.ts";

const TWO_128 = 1n << 128n;

let kinesis: KinesisHarness;
beforeEach(async () => {
  kinesis = await startKinesis();
});
afterEach(async () => {
  await kinesis.dispose();
});

describe("CreateStream", () => {
  it("creates an on-demand stream of 4 shards splitting the hash key space evenly, as AWS does", async () => {
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "events", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    await waitUntilStreamExists({ client: kinesis.client, maxWaitTime: 20 }, { StreamName: "events" });
    const { StreamDescription: d } = await kinesis.client.send(new DescribeStreamCommand({ StreamName: "events" }));
    expect(d?.StreamStatus).toBe("ACTIVE");
    expect(d?.StreamModeDetails?.StreamMode).toBe("ON_DEMAND");
    expect(d?.StreamARN).toBe("arn:aws:kinesis:us-east-1:000000000000:stream/events");
    expect(d?.RetentionPeriodHours).toBe(24);
    expect(d?.HasMoreShards).toBe(false);
    const shards = d?.Shards ?? [];
    expect(shards.map((s) => s.ShardId)).toEqual([0, 1, 2, 3].map((i) => `shardId-00000000000${i}`));
    // Contiguous ranges covering [0, 2^128 - 1], each a quarter of the space.
    let next = 0n;
    for (const shard of shards) {
      const start = BigInt(shard.HashKeyRange!.StartingHashKey!);
      const end = BigInt(shard.HashKeyRange!.EndingHashKey!);
      expect(start).toBe(next);
      expect(end - start + 1n).toBe(TWO_128 / 4n);
      next = end + 1n;
      expect(shard.SequenceNumberRange?.StartingSequenceNumber).toMatch(/^\d{56}$/);
    }
    expect(next).toBe(TWO_128);
  });

  it("defaults to ON_DEMAND without a mode or shard count, and to PROVISIONED with only a ShardCount", async () => {
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "a" }));
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "b", ShardCount: 3 }));
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "c", ShardCount: 1, StreamModeDetails: { StreamMode: "PROVISIONED" } }));
    const summary = async (name: string) =>
      (await kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary!;
    expect(await summary("a")).toMatchObject({ StreamModeDetails: { StreamMode: "ON_DEMAND" }, OpenShardCount: 4 });
    expect(await summary("b")).toMatchObject({ StreamModeDetails: { StreamMode: "PROVISIONED" }, OpenShardCount: 3 });
    const c = await summary("c");
    expect(c).toMatchObject({ StreamName: "c", StreamStatus: "ACTIVE", OpenShardCount: 1, RetentionPeriodHours: 24, ConsumerCount: 0 });
    expect(c.StreamCreationTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(c.StreamCreationTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("honours onDemandShardCount", async () => {
    const other = await startKinesis({ onDemandShardCount: 2 });
    try {
      await other.client.send(new CreateStreamCommand({ StreamName: "s" }));
      const { Shards } = await other.client.send(new ListShardsCommand({ StreamName: "s" }));
      expect(Shards).toHaveLength(2);
    } finally {
      await other.dispose();
    }
  });

  it("rejects an existing name, invalid names and contradictory modes with AWS's exceptions", async () => {
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "dup" }));
    const dup = await serviceError(kinesis.client.send(new CreateStreamCommand({ StreamName: "dup" })));
    expect(dup.name).toBe("ResourceInUseException");
    expect(dup.$metadata.httpStatusCode).toBe(400);
    expect(dup.message).toBe("Stream dup under account 000000000000 already exists.");

    const badName = await serviceError(kinesis.client.send(new CreateStreamCommand({ StreamName: "no spaces!" })));
    expect(badName.name).toBe("ValidationException");
    expect(badName.message).toContain("at 'streamName' failed to satisfy constraint");

    const zero = await serviceError(kinesis.client.send(new CreateStreamCommand({ StreamName: "z", ShardCount: 0 })));
    expect(zero.name).toBe("ValidationException");

    const both = await serviceError(
      kinesis.client.send(new CreateStreamCommand({ StreamName: "x", ShardCount: 2, StreamModeDetails: { StreamMode: "ON_DEMAND" } })),
    );
    expect(both.name).toBe("InvalidArgumentException");
    const noCount = await serviceError(
      kinesis.client.send(new CreateStreamCommand({ StreamName: "y", StreamModeDetails: { StreamMode: "PROVISIONED" } })),
    );
    expect(noCount.name).toBe("InvalidArgumentException");
  });

  it("enforces the account's shard limit", async () => {
    const small = await startKinesis({ shardLimit: 6 });
    try {
      await small.client.send(new CreateStreamCommand({ StreamName: "one" }));
      const error = await serviceError(small.client.send(new CreateStreamCommand({ StreamName: "two", ShardCount: 3 })));
      expect(error.name).toBe("LimitExceededException");
      await small.client.send(new CreateStreamCommand({ StreamName: "two", ShardCount: 2 }));
    } finally {
      await small.dispose();
    }
  });
});

describe("stream lookup, listing and deletion", () => {
  it("accepts StreamARN in place of StreamName, and rejects ARNs of other accounts or mismatched names", async () => {
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "events" }));
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/events";
    const byArn = await kinesis.client.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
    expect(byArn.StreamDescriptionSummary?.StreamName).toBe("events");
    const shards = await kinesis.client.send(new ListShardsCommand({ StreamARN: arn }));
    expect(shards.Shards).toHaveLength(4);

    const foreign = await serviceError(
      kinesis.client.send(new DescribeStreamSummaryCommand({ StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/events" })),
    );
    expect(foreign.name).toBe("ResourceNotFoundException");
    const mismatch = await serviceError(kinesis.client.send(new DescribeStreamSummaryCommand({ StreamARN: arn, StreamName: "other" })));
    expect(mismatch.name).toBe("InvalidArgumentException");
  });

  it("answers ResourceNotFoundException for unknown streams", async () => {
    const error = await serviceError(kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: "ghost" })));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.message).toBe("Stream ghost under account 000000000000 not found.");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("lists streams in name order with summaries, paged by Limit and NextToken", async () => {
    for (const name of ["charlie", "alpha", "bravo"]) await kinesis.client.send(new CreateStreamCommand({ StreamName: name }));
    const first = await kinesis.client.send(new ListStreamsCommand({ Limit: 2 }));
    expect(first.StreamNames).toEqual(["alpha", "bravo"]);
    expect(first.HasMoreStreams).toBe(true);
    expect(first.StreamSummaries?.[0]).toMatchObject({
      StreamName: "alpha",
      StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/alpha",
      StreamStatus: "ACTIVE",
      StreamModeDetails: { StreamMode: "ON_DEMAND" },
    });
    const rest = await kinesis.client.send(new ListStreamsCommand({ NextToken: first.NextToken }));
    expect(rest.StreamNames).toEqual(["charlie"]);
    expect(rest.HasMoreStreams).toBe(false);
    const after = await kinesis.client.send(new ListStreamsCommand({ ExclusiveStartStreamName: "alpha" }));
    expect(after.StreamNames).toEqual(["bravo", "charlie"]);
  });

  it("pages ListShards and DescribeStream, and refuses a NextToken together with a StreamName", async () => {
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "wide", ShardCount: 5 }));
    const page1 = await kinesis.client.send(new ListShardsCommand({ StreamName: "wide", MaxResults: 2 }));
    expect(page1.Shards?.map((s) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    const page2 = await kinesis.client.send(new ListShardsCommand({ NextToken: page1.NextToken, MaxResults: 10 }));
    expect(page2.Shards?.map((s) => s.ShardId)).toEqual(["shardId-000000000002", "shardId-000000000003", "shardId-000000000004"]);
    expect(page2.NextToken).toBeUndefined();
    const conflict = await serviceError(kinesis.client.send(new ListShardsCommand({ StreamName: "wide", NextToken: page1.NextToken })));
    expect(conflict.name).toBe("InvalidArgumentException");
    const filtered = await kinesis.client.send(
      new ListShardsCommand({ StreamName: "wide", ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000003" } }),
    );
    expect(filtered.Shards?.map((s) => s.ShardId)).toEqual(["shardId-000000000004"]);

    const described = await kinesis.client.send(
      new DescribeStreamCommand({ StreamName: "wide", Limit: 2, ExclusiveStartShardId: "shardId-000000000001" }),
    );
    expect(described.StreamDescription?.Shards?.map((s) => s.ShardId)).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    expect(described.StreamDescription?.HasMoreShards).toBe(true);
  });

  it("deletes a stream; its name can then be reused for a new, empty stream", async () => {
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "gone", ShardCount: 1 }));
    await kinesis.client.send(new DeleteStreamCommand({ StreamName: "gone" }));
    const error = await serviceError(kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: "gone" })));
    expect(error.name).toBe("ResourceNotFoundException");
    const again = await serviceError(kinesis.client.send(new DeleteStreamCommand({ StreamName: "gone" })));
    expect(again.name).toBe("ResourceNotFoundException");
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "gone", ShardCount: 2 }));
    const { Shards } = await kinesis.client.send(new ListShardsCommand({ StreamName: "gone" }));
    expect(Shards).toHaveLength(2);
  });

  it("serves HTTP/1.1 clients as well as the default HTTP/2 client", async () => {
    await kinesis.http1Client.send(new CreateStreamCommand({ StreamName: "h1" }));
    const { StreamNames } = await kinesis.client.send(new ListStreamsCommand({}));
    expect(StreamNames).toEqual(["h1"]);
  });
});
