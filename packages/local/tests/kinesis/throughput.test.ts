import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kinesisClient, tempDataDir } from "./harness.ts";

const RECORDS = 200_000;
const BATCH = 500;
const MB = 1024 * 1024;

interface Memory {
  rss: number;
  heapUsed: number;
}

let server: ChildProcess;
let dataDir: string;
let url: string;

function reply<T>(): Promise<T> {
  return new Promise((resolve) => server.once("message", (message) => resolve(message as T)));
}

async function memory(): Promise<Memory> {
  const answer = reply<Memory>();
  server.send("memory");
  return answer;
}

beforeAll(async () => {
  dataDir = tempDataDir();
  server = fork(fileURLToPath(new URL("./fixtures/kinesis-server.ts", import.meta.url)), [dataDir], { execArgv: ["--expose-gc"] });
  url = (await reply<{ url: string }>()).url;
});

afterAll(async () => {
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.send("stop");
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe("throughput and memory (service in its own process, default HTTP/2 client)", () => {
  it(`writes and reads ${RECORDS} records of 500 bytes in 500-record calls, keeping memory bounded`, async () => {
    const client = kinesisClient(url);
    await client.send(new CreateStreamCommand({ StreamName: "bench" }));
    const before = await memory();
    const payload = Buffer.alloc(500, 0x61);
    const records = Array.from({ length: BATCH }, (_, i) => ({ PartitionKey: `user-${i}`, Data: payload }));

    let started = performance.now();
    for (let sent = 0; sent < RECORDS; sent += BATCH) {
      const out = await client.send(new PutRecordsCommand({ StreamName: "bench", Records: records }));
      expect(out.FailedRecordCount).toBe(0);
    }
    const putRate = RECORDS / ((performance.now() - started) / 1000);

    started = performance.now();
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
    const getRate = RECORDS / ((performance.now() - started) / 1000);
    const after = await memory();
    client.destroy();

    console.info(
      `Kinesis: PutRecords ${putRate.toFixed(0)} records/s, GetRecords ${getRate.toFixed(0)} records/s; ` +
        `service RSS ${(before.rss / MB).toFixed(0)} MB → ${(after.rss / MB).toFixed(0)} MB, ` +
        `heap ${(before.heapUsed / MB).toFixed(1)} MB → ${(after.heapUsed / MB).toFixed(1)} MB`,
    );
    expect(read).toBe(RECORDS);
    // Records stay on disk: the retained heap grows by the 16-byte-a-record index, not the data.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(20 * MB);
    expect(after.rss).toBeLessThan(200 * MB);
    // The target is 20,000/s each way (measured 35–55k on two cores); the floor leaves room for a
    // loaded CI machine while still catching an order-of-magnitude regression.
    expect(putRate).toBeGreaterThan(10_000);
    expect(getRate).toBeGreaterThan(10_000);
  });
});
