import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKinesis, type KinesisHarness } from "./harness.ts";

const RECORDS = 200_000;
const BATCH = 500;

let h: KinesisHarness;

beforeAll(async () => {
  h = await startKinesis();
});

afterAll(() => h.dispose());

// Its speed and the service's memory are measured by `npm run bench -- kinesis`.
describe("volume (default HTTP/2 client)", () => {
  it(`writes and reads ${RECORDS} records of 500 bytes in 500-record calls, every one of them back`, async () => {
    const client = h.client;
    await client.send(new CreateStreamCommand({ StreamName: "bench" }));
    const payload = Buffer.alloc(500, 0x61);
    const records = Array.from({ length: BATCH }, (_, i) => ({ PartitionKey: `user-${i}`, Data: payload }));

    for (let sent = 0; sent < RECORDS; sent += BATCH) {
      const out = await client.send(new PutRecordsCommand({ StreamName: "bench", Records: records }));
      expect(out.FailedRecordCount).toBe(0);
    }

    let read = 0;
    const { Shards } = await client.send(new ListShardsCommand({ StreamName: "bench" }));
    for (const shard of Shards ?? []) {
      let iterator = (
        await client.send(new GetShardIteratorCommand({ StreamName: "bench", ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))
      ).ShardIterator;
      for (;;) {
        const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: BATCH }));
        read += out.Records!.length;
        iterator = out.NextShardIterator;
        if (out.Records!.length === 0) break;
      }
    }
    expect(read).toBe(RECORDS);
  });
});
