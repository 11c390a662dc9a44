import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { afterEach, describe, expect, it } from "vitest";
import { serviceError, startKinesis, type KinesisHarness } from "./harness.ts";

let kinesis: KinesisHarness | undefined;
afterEach(async () => {
  await kinesis?.dispose();
  kinesis = undefined;
});

describe("fault injection", () => {
  it("fails the chosen PutRecords entries with ProvisionedThroughputExceededException and stores only the others", async () => {
    const calls: [string, string, number][] = [];
    kinesis = await startKinesis({
      faults: {
        putRecord: (stream, key, index) => {
          calls.push([stream, key, index]);
          return key.startsWith("hot-");
        },
      },
    });
    const { client } = kinesis;
    await client.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 1 }));
    const keys = ["a", "hot-1", "b", "hot-2", "c"];
    const out = await client.send(
      new PutRecordsCommand({ StreamName: "events", Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(k) })) }),
    );
    expect(calls).toEqual(keys.map((k, i) => ["events", k, i]));
    expect(out.FailedRecordCount).toBe(2);
    expect(out.Records![1]).toEqual({
      ErrorCode: "ProvisionedThroughputExceededException",
      ErrorMessage: "Rate exceeded for shard shardId-000000000000 in stream events under account 000000000000.",
    });
    expect(out.Records![3]!.ErrorCode).toBe("ProvisionedThroughputExceededException");
    expect([0, 2, 4].map((i) => out.Records![i]!.SequenceNumber)).toSatisfy((s: unknown[]) => s.every(Boolean));

    const it = await client.send(
      new GetShardIteratorCommand({ StreamName: "events", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
    );
    const read = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    expect(read.Records!.map((r) => r.PartitionKey)).toEqual(["a", "b", "c"]);

    // A producer retrying only the failed entries gets everything in, the way Freshet's ingest must.
    const retry = await client.send(
      new PutRecordsCommand({ StreamName: "events", Records: [{ PartitionKey: "cooled", Data: Buffer.from("x") }] }),
    );
    expect(retry.FailedRecordCount).toBe(0);
  });

  it("fails a throttled PutRecord call as a whole, and throttles GetRecords on demand", async () => {
    let throttleReads = true;
    kinesis = await startKinesis({ faults: { putRecord: (_s, key) => key === "hot", getRecords: () => throttleReads } });
    const { client } = kinesis;
    await client.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 1 }));
    const error = await serviceError(client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "hot", Data: Buffer.from("x") })));
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(error.$metadata.httpStatusCode).toBe(400);

    const shard = (await client.send(new ListShardsCommand({ StreamName: "events" }))).Shards![0]!;
    const it = await client.send(new GetShardIteratorCommand({ StreamName: "events", ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    const throttled = await serviceError(client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator })));
    expect(throttled.name).toBe("ProvisionedThroughputExceededException");
    throttleReads = false;
    const read = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    expect(read.Records).toEqual([]);
  });
});
