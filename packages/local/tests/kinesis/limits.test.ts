import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serviceError, startKinesis, type KinesisHarness } from "./harness.ts";

const MiB = 1024 * 1024;

let kinesis: KinesisHarness;
let client: KinesisClient;
let clock: number;

beforeEach(async () => {
  clock = Date.parse("2026-11-20T10:00:00.000Z");
  kinesis = await startKinesis({ now: () => clock });
  client = kinesis.client;
  await client.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 2 }));
});
afterEach(async () => {
  await kinesis.dispose();
});

const record = (data: Buffer | number, key = "k") => ({ PartitionKey: key, Data: typeof data === "number" ? Buffer.alloc(data, 1) : data });

describe("record limits", () => {
  it("accepts a 1 MiB record and a 500-record request, the largest AWS allows", async () => {
    const big = await client.send(new PutRecordCommand({ StreamName: "events", ...record(MiB - 1) }));
    expect(big.SequenceNumber).toBeTruthy();
    const many = await client.send(new PutRecordsCommand({ StreamName: "events", Records: Array.from({ length: 500 }, () => record(10)) }));
    expect(many.Records).toHaveLength(500);
  });

  it("rejects more than 500 records with ValidationException and writes none of them", async () => {
    const error = await serviceError(
      client.send(new PutRecordsCommand({ StreamName: "events", Records: Array.from({ length: 501 }, () => record(10)) })),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500");
    await expectEmptyStream();
  });

  it("rejects data over 1 MiB with ValidationException naming the entry", async () => {
    const error = await serviceError(
      client.send(new PutRecordsCommand({ StreamName: "events", Records: [record(10), record(MiB + 1)] })),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576");
    const single = await serviceError(client.send(new PutRecordCommand({ StreamName: "events", ...record(MiB + 1) })));
    expect(single.name).toBe("ValidationException");
    await expectEmptyStream();
  });

  it("rejects partition keys outside 1–256 characters with ValidationException", async () => {
    const long = await serviceError(client.send(new PutRecordsCommand({ StreamName: "events", Records: [record(1, "x".repeat(257))] })));
    expect(long.name).toBe("ValidationException");
    expect(long.message).toContain("records.1.member.partitionKey");
    const empty = await serviceError(client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "", Data: Buffer.from("x") })));
    expect(empty.name).toBe("ValidationException");
    await client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "x".repeat(256), Data: Buffer.from("x") }));
  });

  it("rejects a request over 5 MiB in total with InvalidArgumentException", async () => {
    const records = Array.from({ length: 6 }, () => record(MiB - 100));
    const error = await serviceError(client.send(new PutRecordsCommand({ StreamName: "events", Records: records })));
    expect(error.name).toBe("InvalidArgumentException");
    expect(error.message).toBe("Records size exceeds 5 MB limit");
    await expectEmptyStream();
  });

  it("rejects an ExplicitHashKey outside [0, 2^128 - 1]", async () => {
    const tooBig = ((1n << 128n) + 5n).toString();
    const error = await serviceError(
      client.send(new PutRecordsCommand({ StreamName: "events", Records: [{ ...record(1), ExplicitHashKey: tooBig }] })),
    );
    expect(error.name).toBe("InvalidArgumentException");
    const malformed = await serviceError(
      client.send(new PutRecordsCommand({ StreamName: "events", Records: [{ ...record(1), ExplicitHashKey: "-1" }] })),
    );
    expect(malformed.name).toBe("ValidationException");
  });

  it("answers ResourceNotFoundException for writes and reads of an unknown stream", async () => {
    const put = await serviceError(client.send(new PutRecordsCommand({ StreamName: "nope", Records: [record(1)] })));
    expect(put.name).toBe("ResourceNotFoundException");
    const iterator = await serviceError(
      client.send(new GetShardIteratorCommand({ StreamName: "events", ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" })),
    );
    expect(iterator.name).toBe("ResourceNotFoundException");
  });
});

describe("iterator errors", () => {
  async function horizon(shardId = "shardId-000000000000"): Promise<string> {
    const out = await client.send(new GetShardIteratorCommand({ StreamName: "events", ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
    return out.ShardIterator!;
  }

  it("rejects a malformed or altered iterator with InvalidArgumentException", async () => {
    const garbage = await serviceError(client.send(new GetRecordsCommand({ ShardIterator: "bm90LWFuLWl0ZXJhdG9y" })));
    expect(garbage.name).toBe("InvalidArgumentException");
    const valid = Buffer.from(await horizon(), "base64").toString("utf8");
    const altered = Buffer.from(valid.replace("|0|", "|7|"), "utf8").toString("base64");
    const tampered = await serviceError(client.send(new GetRecordsCommand({ ShardIterator: altered })));
    expect(tampered.name).toBe("InvalidArgumentException");
  });

  it("expires iterators after five minutes with ExpiredIteratorException", async () => {
    const iterator = await horizon();
    clock += 5 * 60_000;
    await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
    clock += 1;
    const error = await serviceError(client.send(new GetRecordsCommand({ ShardIterator: iterator })));
    expect(error.name).toBe("ExpiredIteratorException");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("rejects sequence numbers of another shard, of a deleted stream's predecessor, or not yet written", async () => {
    const put = await client.send(new PutRecordsCommand({ StreamName: "events", Records: [record(1, "a"), record(1, "b"), record(1, "c")] }));
    const entry = put.Records![0]!;
    const otherShard = entry.ShardId === "shardId-000000000000" ? "shardId-000000000001" : "shardId-000000000000";
    const wrongShard = await serviceError(
      client.send(
        new GetShardIteratorCommand({
          StreamName: "events",
          ShardId: otherShard,
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          StartingSequenceNumber: entry.SequenceNumber,
        }),
      ),
    );
    expect(wrongShard.name).toBe("InvalidArgumentException");
    const future = `${entry.SequenceNumber!.slice(0, -6)}999999`;
    const unwritten = await serviceError(
      client.send(
        new GetShardIteratorCommand({ StreamName: "events", ShardId: entry.ShardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: future }),
      ),
    );
    expect(unwritten.name).toBe("InvalidArgumentException");
    const missing = await serviceError(
      client.send(new GetShardIteratorCommand({ StreamName: "events", ShardId: entry.ShardId, ShardIteratorType: "AT_SEQUENCE_NUMBER" })),
    );
    expect(missing.name).toBe("InvalidArgumentException");
  });

  it("bounds GetRecords' Limit to 1–10,000 with ValidationException", async () => {
    const error = await serviceError(client.send(new GetRecordsCommand({ ShardIterator: await horizon(), Limit: 10_001 })));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("Member must have value less than or equal to 10000");
  });
});

async function expectEmptyStream(): Promise<void> {
  for (const shardId of ["shardId-000000000000", "shardId-000000000001"]) {
    const it = await client.send(new GetShardIteratorCommand({ StreamName: "events", ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    expect(out.Records).toEqual([]);
  }
}
