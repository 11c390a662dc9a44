import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetRecordsCommandOutput,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type KinesisClient,
  type Shard,
  type ShardIteratorType,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startKinesis, type KinesisHarness } from "./harness.ts";

let kinesis: KinesisHarness;
let client: KinesisClient;
let clock: number;

beforeEach(async () => {
  clock = Date.parse("2026-11-20T10:00:00.000Z");
  kinesis = await startKinesis({ now: () => clock });
  client = kinesis.client;
  await client.send(new CreateStreamCommand({ StreamName: "events" }));
});
afterEach(async () => {
  await kinesis.dispose();
});

async function shards(): Promise<Shard[]> {
  return (await client.send(new ListShardsCommand({ StreamName: "events" }))).Shards ?? [];
}

async function iterator(shardId: string, type: ShardIteratorType, extra: { StartingSequenceNumber?: string; Timestamp?: Date } = {}) {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: "events", ShardId: shardId, ShardIteratorType: type, ...extra }));
  return out.ShardIterator!;
}

async function readAll(shardId: string, type: ShardIteratorType = "TRIM_HORIZON", limit = 10_000): Promise<_Record[]> {
  const records: _Record[] = [];
  let it: string | undefined = await iterator(shardId, type);
  for (;;) {
    const out: GetRecordsCommandOutput = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit }));
    records.push(...(out.Records ?? []));
    it = out.NextShardIterator;
    if ((out.Records ?? []).length === 0) return records;
  }
}

function md5Key(partitionKey: string): bigint {
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

function owner(all: Shard[], key: bigint): string {
  const shard = all.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= key && key <= BigInt(s.HashKeyRange!.EndingHashKey!));
  return shard!.ShardId!;
}

describe("PutRecords and GetRecords", () => {
  it("routes each record to the shard owning the MD5 of its partition key and returns it intact", async () => {
    const all = await shards();
    const entries = Array.from({ length: 200 }, (_, i) => ({ PartitionKey: `user-${i}-é`, Data: randomBytes(1 + (i % 50)) }));
    const put = await client.send(new PutRecordsCommand({ StreamName: "events", Records: entries }));
    expect(put.FailedRecordCount).toBe(0);
    expect(put.Records).toHaveLength(200);
    entries.forEach((entry, i) => expect(put.Records![i]!.ShardId).toBe(owner(all, md5Key(entry.PartitionKey))));
    // Every shard got some of 200 random keys, so the routing test is not vacuous.
    expect(new Set(put.Records!.map((r) => r.ShardId)).size).toBe(4);

    const bySequence = new Map(put.Records!.map((r, i) => [r.SequenceNumber!, entries[i]!]));
    let seen = 0;
    for (const shard of all) {
      for (const record of await readAll(shard.ShardId!)) {
        const entry = bySequence.get(record.SequenceNumber!);
        expect(entry).toBeDefined();
        expect(record.PartitionKey).toBe(entry!.PartitionKey);
        expect(Buffer.from(record.Data!).equals(entry!.Data)).toBe(true);
        expect(record.ApproximateArrivalTimestamp?.getTime()).toBe(clock);
        seen++;
      }
    }
    expect(seen).toBe(200);
  });

  it("keeps a shard's records in put order with strictly increasing, fixed-width sequence numbers", async () => {
    const sent: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const records = Array.from({ length: 40 }, (_, i) => ({ PartitionKey: "same-key", Data: Buffer.from(`${batch}-${i}`) }));
      sent.push(...records.map((r) => r.Data.toString()));
      await client.send(new PutRecordsCommand({ StreamName: "events", Records: records }));
      clock += 1;
    }
    const single = await client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "same-key", Data: Buffer.from("last") }));
    sent.push("last");
    const records = await readAll(single.ShardId!);
    expect(records.map((r) => Buffer.from(r.Data!).toString())).toEqual(sent);
    const sequences = records.map((r) => r.SequenceNumber!);
    expect(sequences.every((s) => /^\d{56}$/.test(s))).toBe(true);
    for (let i = 1; i < sequences.length; i++) {
      expect(sequences[i]! > sequences[i - 1]!).toBe(true);
      expect(BigInt(sequences[i]!) > BigInt(sequences[i - 1]!)).toBe(true);
    }
    expect(sequences.at(-1)).toBe(single.SequenceNumber);
  });

  it("routes by ExplicitHashKey when given", async () => {
    const all = await shards();
    const last = all.at(-1)!;
    const put = await client.send(
      new PutRecordsCommand({
        StreamName: "events",
        Records: [
          { PartitionKey: "k", ExplicitHashKey: "0", Data: Buffer.from("a") },
          { PartitionKey: "k", ExplicitHashKey: last.HashKeyRange!.EndingHashKey!, Data: Buffer.from("b") },
          { PartitionKey: "k", ExplicitHashKey: last.HashKeyRange!.StartingHashKey!, Data: Buffer.from("c") },
        ],
      }),
    );
    expect(put.Records!.map((r) => r.ShardId)).toEqual(["shardId-000000000000", last.ShardId, last.ShardId]);
  });

  it("pages GetRecords by Limit and reports how far behind the tip the reader is", async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ PartitionKey: "p", Data: Buffer.from(String(i)) }));
    const put = await client.send(new PutRecordsCommand({ StreamName: "events", Records: records }));
    const shardId = put.Records![0]!.ShardId!;
    clock += 5_000;
    const first = await client.send(new GetRecordsCommand({ ShardIterator: await iterator(shardId, "TRIM_HORIZON"), Limit: 10 }));
    expect(first.Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual(records.slice(0, 10).map((r) => r.Data.toString()));
    expect(first.MillisBehindLatest).toBe(5_000);
    const second = await client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator, Limit: 100 }));
    expect(second.Records).toHaveLength(20);
    expect(second.MillisBehindLatest).toBe(0);
    const empty = await client.send(new GetRecordsCommand({ ShardIterator: second.NextShardIterator }));
    expect(empty.Records).toEqual([]);
    expect(empty.MillisBehindLatest).toBe(0);
    expect(empty.NextShardIterator).toBeTruthy();
    // The iterator after the end picks up records written later.
    await client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "p", Data: Buffer.from("late") }));
    const late = await client.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
    expect(late.Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual(["late"]);
  });
});

describe("GetShardIterator positions", () => {
  let shardId: string;
  let sequences: string[];

  beforeEach(async () => {
    sequences = [];
    for (let i = 0; i < 5; i++) {
      const put = await client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "p", Data: Buffer.from(String(i)) }));
      shardId = put.ShardId!;
      sequences.push(put.SequenceNumber!);
      clock += 1_000;
    }
  });

  const values = (records: _Record[] | undefined) => (records ?? []).map((r) => Buffer.from(r.Data!).toString());

  it("TRIM_HORIZON starts at the oldest record, LATEST after the newest", async () => {
    const horizon = await client.send(new GetRecordsCommand({ ShardIterator: await iterator(shardId, "TRIM_HORIZON") }));
    expect(values(horizon.Records)).toEqual(["0", "1", "2", "3", "4"]);
    const latestIterator = await iterator(shardId, "LATEST");
    expect((await client.send(new GetRecordsCommand({ ShardIterator: latestIterator }))).Records).toEqual([]);
    await client.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "p", Data: Buffer.from("5") }));
    expect(values((await client.send(new GetRecordsCommand({ ShardIterator: latestIterator }))).Records)).toEqual(["5"]);
  });

  it("AT_ and AFTER_SEQUENCE_NUMBER start at and just after a record", async () => {
    const at = await client.send(
      new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[2] }) }),
    );
    expect(values(at.Records)).toEqual(["2", "3", "4"]);
    const after = await client.send(
      new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[2] }) }),
    );
    expect(values(after.Records)).toEqual(["3", "4"]);
    const afterLast = await client.send(
      new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[4] }) }),
    );
    expect(afterLast.Records).toEqual([]);
  });

  it("AT_TIMESTAMP starts at the first record that arrived at or after the time", async () => {
    const t2 = Date.parse("2026-11-20T10:00:02.000Z");
    const at = await client.send(new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AT_TIMESTAMP", { Timestamp: new Date(t2) }) }));
    expect(values(at.Records)).toEqual(["2", "3", "4"]);
    const between = await client.send(
      new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AT_TIMESTAMP", { Timestamp: new Date(t2 + 500) }) }),
    );
    expect(values(between.Records)).toEqual(["3", "4"]);
    const future = await client.send(
      new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AT_TIMESTAMP", { Timestamp: new Date(clock + 60_000) }) }),
    );
    expect(future.Records).toEqual([]);
  });

  it("trims records past the 24-hour retention lazily", async () => {
    clock = Date.parse("2026-11-21T10:00:02.500Z"); // records 0–2 are now older than 24 h
    const horizon = await client.send(new GetRecordsCommand({ ShardIterator: await iterator(shardId, "TRIM_HORIZON") }));
    expect(values(horizon.Records)).toEqual(["3", "4"]);
    // A position inside the trimmed part reads from the oldest record still retained.
    const old = await client.send(
      new GetRecordsCommand({ ShardIterator: await iterator(shardId, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[0] }) }),
    );
    expect(values(old.Records)).toEqual(["3", "4"]);
  });
});
