import { CreateStreamCommand, ListShardsCommand, PutRecordsCommand, type PutRecordsResultEntry } from "@aws-sdk/client-kinesis";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localStreamApi, startEventSourceMapping, type EventSourceMapping, type EventSourceMappingOptions, type EsmLogEntry, type OnFailureRecord } from "../../src/esm/index.ts";
import type { KinesisServiceOptions } from "../../src/kinesis/index.ts";
import { startKinesis, type KinesisHarness } from "../kinesis/harness.ts";

export const STREAM = "events";

/**
 * How a mapping reads the stream: over the wire with the SDK, or in process over the service's
 * own operations (the platform's default). Behaviour tests run with both.
 */
export type Reads = "wire" | "in-process";
export const READS: readonly Reads[] = ["wire", "in-process"];

export interface Invocation {
  readonly event: KinesisStreamEvent;
  readonly context: Context;
  readonly startedAt: number;
  readonly shardId: string;
  readonly sequenceNumbers: string[];
  readonly values: string[];
}

export interface PutRecord {
  readonly value: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** A Kinesis endpoint with one stream, a scratch directory, and helpers to feed and map it. */
export class EsmFixture {
  readonly kinesis: KinesisHarness;
  readonly dir: string;
  readonly hashKeys: string[];
  readonly reads: Reads;
  readonly invocations: Invocation[] = [];
  readonly failures: OnFailureRecord[] = [];
  readonly logs: EsmLogEntry[] = [];
  readonly #mappings: EventSourceMapping[] = [];

  private constructor(kinesis: KinesisHarness, dir: string, hashKeys: string[], reads: Reads) {
    this.kinesis = kinesis;
    this.dir = dir;
    this.hashKeys = hashKeys;
    this.reads = reads;
  }

  static async start(shardCount = 1, service: Partial<KinesisServiceOptions> = {}, reads: Reads = "wire"): Promise<EsmFixture> {
    const kinesis = await startKinesis(service);
    await kinesis.client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: shardCount }));
    const { Shards } = await kinesis.client.send(new ListShardsCommand({ StreamName: STREAM }));
    const dir = mkdtempSync(join(tmpdir(), "freshet-esm-"));
    return new EsmFixture(kinesis, dir, (Shards ?? []).map((s) => s.HashKeyRange!.StartingHashKey!), reads);
  }

  get streamArn(): string {
    return `arn:aws:kinesis:us-east-1:000000000000:stream/${STREAM}`;
  }

  /** Puts `values` (as UTF-8 data) into shard `shard` (by explicit hash key), in order. */
  async put(values: readonly string[], shard = 0): Promise<PutRecord[]> {
    const out: PutRecord[] = [];
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      const result = await this.kinesis.client.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: chunk.map((value) => ({ PartitionKey: `pk-${value}`, ExplicitHashKey: this.hashKeys[shard], Data: Buffer.from(value) })),
        }),
      );
      if (result.FailedRecordCount) throw new Error("put failed");
      (result.Records ?? []).forEach((r: PutRecordsResultEntry, j) =>
        out.push({ value: chunk[j]!, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber! }),
      );
    }
    return out;
  }

  /**
   * Starts a mapping whose handler is recorded and then delegates to `behaviour` (success when
   * it returns nothing). Failures and logs are collected on the fixture.
   */
  map(
    behaviour: (invocation: Invocation) => Promise<KinesisStreamBatchResponse | void> | KinesisStreamBatchResponse | void,
    options: Partial<EventSourceMappingOptions> = {},
  ): EventSourceMapping {
    const mapping = startEventSourceMapping({
      ...(this.reads === "wire" ? { kinesis: this.kinesis.client } : { stream: localStreamApi(this.kinesis.service) }),
      streamName: STREAM,
      functionName: "transformer",
      batchSize: 100,
      pollIntervalMs: 20,
      retryBackoffMs: 5,
      maxRetryBackoffMs: 20,
      onFailure: async (record) => {
        this.failures.push(record);
      },
      logger: (entry) => this.logs.push(entry),
      ...options,
      handler: async (event, context) => {
        const first = event.Records[0]!;
        const invocation: Invocation = {
          event,
          context,
          startedAt: Date.now(),
          shardId: first.eventID.split(":")[0]!,
          sequenceNumbers: event.Records.map((r) => r.kinesis.sequenceNumber),
          values: event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString()),
        };
        this.invocations.push(invocation);
        return behaviour(invocation);
      },
    });
    this.#mappings.push(mapping);
    return mapping;
  }

  /** Values delivered to the handler, in delivery order, flattened. */
  delivered(): string[] {
    return this.invocations.flatMap((i) => i.values);
  }

  async dispose(): Promise<void> {
    for (const mapping of this.#mappings) await mapping.stop();
    await this.kinesis.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const values = (prefix: string, count: number, from = 0) => Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
