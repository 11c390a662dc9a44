import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { againstGoal, format } from "./measure.ts";

const RECORDS = 200_000;
const BATCH = 500;
const MB = 1024 * 1024;
/** Records stay on disk: the retained heap grows by the 16-byte-a-record index, not the data. */
const HEAP_GROWTH_GOAL = { op: "<", limit: 20, unit: "MB" } as const;
const RSS_GOAL = { op: "<", limit: 200, unit: "MB" } as const;
/** The target is 20,000/s each way (measured 35–55k on two cores); below 10,000/s is a regression. */
const RATE_FLOOR = { op: ">", limit: 10_000, unit: "records/s" } as const;
const RATE_TARGET = 20_000;

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
}

/**
 * The embedded Kinesis service's throughput and memory: 200,000 records of 500 bytes put and read
 * back in 500-record calls by the default (HTTP/2) SDK client, with the service in its own process
 * so its memory is measured alone (after a full GC, before and after).
 */
export async function benchKinesis(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-kinesis-"));
  const server = fork(fileURLToPath(new URL("./kinesis-server.ts", import.meta.url)), [dataDir], { execArgv: ["--expose-gc"] });
  const reply = <T>(): Promise<T> => new Promise((resolve) => server.once("message", (message) => resolve(message as T)));
  const memory = (): Promise<Memory> => {
    const answer = reply<Memory>();
    server.send("memory");
    return answer;
  };
  let client: KinesisClient | undefined;
  try {
    const { url } = await reply<{ url: string }>();
    client = new KinesisClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
    await client.send(new CreateStreamCommand({ StreamName: "bench" }));
    const before = await memory();
    const putRate = await putAll(client);
    const { read, getRate } = await readAll(client);
    if (read !== RECORDS) throw new Error(`read ${read} records back, expected ${RECORDS}`);
    const after = await memory();

    console.log(`\nKinesis (embedded service in its own process, ${format(RECORDS)} records of 500 bytes in ${BATCH}-record calls, HTTP/2 SDK client)`);
    console.log(`  PutRecords ${againstGoal(putRate, RATE_FLOOR)}   (target ${format(RATE_TARGET)}/s)`);
    console.log(`  GetRecords ${againstGoal(getRate, RATE_FLOOR)}   (target ${format(RATE_TARGET)}/s)`);
    console.log(
      `  service heap ${format(before.heapUsed / MB, 1)} → ${format(after.heapUsed / MB, 1)} MB: +${againstGoal((after.heapUsed - before.heapUsed) / MB, HEAP_GROWTH_GOAL, 1)}` +
        `   rss ${format(before.rss / MB)} → ${againstGoal(after.rss / MB, RSS_GOAL)}`,
    );
  } finally {
    client?.destroy();
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.send("stop");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Puts RECORDS records; returns records per second. */
async function putAll(client: KinesisClient): Promise<number> {
  const payload = Buffer.alloc(500, 0x61);
  const records = Array.from({ length: BATCH }, (_, i) => ({ PartitionKey: `user-${i}`, Data: payload }));
  const started = performance.now();
  for (let sent = 0; sent < RECORDS; sent += BATCH) {
    const out = await client.send(new PutRecordsCommand({ StreamName: "bench", Records: records }));
    if (out.FailedRecordCount !== 0) throw new Error(`${out.FailedRecordCount} records failed`);
  }
  return RECORDS / ((performance.now() - started) / 1000);
}

/** Reads every shard from TRIM_HORIZON to its end; returns the records read and records per second. */
async function readAll(client: KinesisClient): Promise<{ read: number; getRate: number }> {
  const started = performance.now();
  let read = 0;
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: "bench" }));
  for (const shard of Shards ?? []) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: "bench", ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" })))
      .ShardIterator;
    for (;;) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: BATCH }));
      read += out.Records!.length;
      iterator = out.NextShardIterator;
      if (out.Records!.length === 0) break;
    }
  }
  return { read, getRate: RECORDS / ((performance.now() - started) / 1000) };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchKinesis();
