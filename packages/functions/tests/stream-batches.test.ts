import type { KinesisStreamRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { streamBatchesOf } from "../src/transformer/stream-batches.ts";
import { aKinesisRecord } from "./helpers/factories.ts";

function record(shardId: string, sequenceNumber: string, data: string, arrivalSeconds: number, streamArn = "arn:aws:kinesis:us-east-1:1:stream/s"): KinesisStreamRecord {
  return aKinesisRecord({ shardId, sequenceNumber, data, arrivalSeconds, streamArn });
}

describe("streamBatchesOf", () => {
  it("groups records by stream and shard, in delivery order, with their bytes and arrival times", () => {
    const records = [
      record("shardId-000000000001", "1", "a", 100),
      record("shardId-000000000001", "2", "b", 100),
      record("shardId-000000000002", "3", "c", 101.5),
      record("shardId-000000000001", "4", "d", 101.5),
      record("shardId-000000000001", "5", "e", 100, "arn:aws:kinesis:us-east-1:1:stream/other"),
    ];
    const batches = streamBatchesOf(records);
    expect(batches.map((b) => [b.streamArn.split("/")[1], b.shardId, b.records.map((r) => r.sequenceNumber)])).toEqual([
      ["s", "shardId-000000000001", ["1", "2", "4"]],
      ["s", "shardId-000000000002", ["3"]],
      ["other", "shardId-000000000001", ["5"]],
    ]);
    const first = batches[0]!.records;
    expect(first.map((r) => Buffer.from(r.data).toString())).toEqual(["a", "b", "d"]);
    expect(first.map((r) => r.arrivedAt.getTime())).toEqual([100_000, 100_000, 101_500]);
    expect(first.map((r) => r.dataBase64)).toEqual(["YQ==", "Yg==", "ZA=="]);
    expect(batches[2]!.records[0]!.arrivedAt.getTime()).toBe(100_000);
  });

  it("tells apart shards whose IDs begin alike, and keeps a record without a shard in the event ID apart", () => {
    const records = [
      record("shardId-1", "1", "a", 100),
      record("shardId-10", "2", "b", 100),
      record("shardId-1", "3", "c", 100),
      { ...record("shardId-1", "4", "d", 100), eventID: "4" },
    ];
    expect(streamBatchesOf(records).map((b) => [b.shardId, b.records.map((r) => r.sequenceNumber)])).toEqual([
      ["shardId-1", ["1", "3"]],
      ["shardId-10", ["2"]],
      ["shard", ["4"]],
    ]);
  });
});

