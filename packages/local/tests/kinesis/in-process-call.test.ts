import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { afterEach, describe, expect, it } from "vitest";
import { KinesisApiError } from "../../src/kinesis/index.ts";
import { startKinesis, type KinesisHarness } from "./harness.ts";

let kinesis: KinesisHarness;
afterEach(async () => {
  await kinesis.dispose();
});

describe("Kinesis operations called in process", () => {
  it("answer what the wire answers, with Data still base64 and timestamps in epoch seconds", async () => {
    kinesis = await startKinesis();
    await kinesis.client.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 1 }));
    await kinesis.client.send(new PutRecordsCommand({ StreamName: "s", Records: ["x", "y"].map((v) => ({ PartitionKey: v, Data: Buffer.from(v) })) }));
    const { ShardIterator } = await kinesis.client.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
    const overWire = await kinesis.client.send(new GetRecordsCommand({ ShardIterator }));

    const inProcess = kinesis.service.call("GetRecords", { ShardIterator }) as {
      Records: { SequenceNumber: string; ApproximateArrivalTimestamp: number; Data: string; PartitionKey: string }[];
      MillisBehindLatest: number;
    };
    expect(inProcess.Records).toEqual(
      (overWire.Records ?? []).map((r) => ({
        SequenceNumber: r.SequenceNumber,
        ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp!.getTime() / 1000,
        Data: Buffer.from(r.Data!).toString("base64"),
        PartitionKey: r.PartitionKey,
      })),
    );
    expect(inProcess.MillisBehindLatest).toBe(0);
  });

  it("throw the API's errors, and refuse once the service is shut down as the wire does", async () => {
    kinesis = await startKinesis();
    expect(() => kinesis.service.call("DescribeStreamSummary", { StreamName: "missing" })).toThrow(
      expect.objectContaining({ name: "KinesisApiError", code: "ResourceNotFoundException" }),
    );
    expect(() => kinesis.service.call("NoSuchOperation", {})).toThrow(KinesisApiError);
    await kinesis.service.close();
    expect(() => kinesis.service.call("ListStreams", {})).toThrow(expect.objectContaining({ code: "ServiceUnavailable", status: 503 }));
  });
});
