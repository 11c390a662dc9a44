import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KinesisStorageError } from "./errors.ts";
import { evenHashKeyRanges, type HashKeyRange } from "./hash-keys.ts";
import { formatSequenceNumber, sequenceNumberFormatter } from "./sequence-numbers.ts";
import { ShardLog } from "./shard-log.ts";

export type StreamMode = "ON_DEMAND" | "PROVISIONED";

/** What `stream.json` holds; hash keys are decimal strings because JSON has no 128-bit integers. */
interface StreamMetadata {
  readonly name: string;
  readonly createdMs: number;
  readonly mode: StreamMode;
  readonly retentionHours: number;
  readonly shards: readonly { readonly shardId: string; readonly startingHashKey: string; readonly endingHashKey: string }[];
}

export interface StreamShard {
  readonly shardId: string;
  readonly index: number;
  readonly range: HashKeyRange;
  readonly log: ShardLog;
  readonly startingSequenceNumber: string;
  /** The sequence number of the record at `ordinal` in this shard. */
  readonly sequenceNumber: (ordinal: number) => string;
}

export interface KinesisStream {
  readonly name: string;
  readonly arn: string;
  readonly createdMs: number;
  readonly mode: StreamMode;
  readonly retentionHours: number;
  readonly shards: readonly StreamShard[];
  readonly dir: string;
}

export interface StreamStoreOptions {
  /** `<dataDir>/kinesis`. */
  readonly root: string;
  readonly region: string;
  readonly accountId: string;
  readonly retentionHours: number;
  readonly segmentBytes?: number;
}

export function shardIdFor(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/**
 * The streams of one account and region, persisted under `root/streams/<created>-<name>/`:
 * `stream.json` (written once, then moved into place, so a stream exists whole or not at all) and
 * one log directory per shard.
 */
export class StreamStore {
  readonly #options: StreamStoreOptions;
  readonly #streams = new Map<string, KinesisStream>();
  readonly #streamsDir: string;
  #lastCreatedMs = 0;

  private constructor(options: StreamStoreOptions) {
    this.#options = options;
    this.#streamsDir = join(options.root, "streams");
  }

  static open(options: StreamStoreOptions): StreamStore {
    const store = new StreamStore(options);
    try {
      mkdirSync(store.#streamsDir, { recursive: true });
      for (const entry of readdirSync(store.#streamsDir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const dir = join(store.#streamsDir, entry.name);
        // Leftovers of a create or delete cut short by a crash.
        if (entry.name.startsWith(".") || !existsSync(join(dir, "stream.json"))) {
          rmSync(dir, { recursive: true, force: true });
          continue;
        }
        const metadata = JSON.parse(readFileSync(join(dir, "stream.json"), "utf8")) as StreamMetadata;
        store.#streams.set(metadata.name, store.#materialize(metadata, dir));
        store.#lastCreatedMs = Math.max(store.#lastCreatedMs, metadata.createdMs);
      }
    } catch (error) {
      store.close();
      if (error instanceof KinesisStorageError) throw error;
      throw new KinesisStorageError(`Cannot load Kinesis streams from ${options.root}`, { cause: error });
    }
    return store;
  }

  arnOf(name: string): string {
    return `arn:aws:kinesis:${this.#options.region}:${this.#options.accountId}:stream/${name}`;
  }

  get(name: string): KinesisStream | undefined {
    return this.#streams.get(name);
  }

  /** Streams sorted by name, as ListStreams returns them. */
  list(): KinesisStream[] {
    return [...this.#streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  openShardCount(): number {
    let count = 0;
    for (const stream of this.#streams.values()) count += stream.shards.length;
    return count;
  }

  create(name: string, mode: StreamMode, shardCount: number, nowMs: number): KinesisStream {
    if (this.#streams.has(name)) throw new KinesisStorageError(`Stream ${name} already exists`);
    // Creation time is part of every sequence number and iterator: keep it unique, so a stream
    // deleted and recreated within one millisecond still rejects its predecessor's positions.
    const createdMs = Math.max(nowMs, this.#lastCreatedMs + 1);
    this.#lastCreatedMs = createdMs;
    const metadata: StreamMetadata = {
      name,
      createdMs,
      mode,
      retentionHours: this.#options.retentionHours,
      shards: evenHashKeyRanges(shardCount).map((range, index) => ({
        shardId: shardIdFor(index),
        startingHashKey: range.start.toString(),
        endingHashKey: range.end.toString(),
      })),
    };
    const dir = join(this.#streamsDir, `${createdMs}-${name}`);
    const staging = join(this.#streamsDir, `.creating-${createdMs}-${name}`);
    try {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      writeFileSync(join(staging, "stream.json"), JSON.stringify(metadata, null, 2));
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw new KinesisStorageError(`Cannot create stream ${name}`, { cause: error });
    }
    const stream = this.#materialize(metadata, dir);
    this.#streams.set(name, stream);
    return stream;
  }

  delete(name: string): void {
    const stream = this.#streams.get(name);
    if (!stream) return;
    this.#streams.delete(name);
    for (const shard of stream.shards) shard.log.close();
    // Moving the directory aside first makes the deletion atomic for a later load.
    const doomed = join(this.#streamsDir, `.deleting-${stream.createdMs}-${name}`);
    try {
      renameSync(stream.dir, doomed);
      rmSync(doomed, { recursive: true, force: true });
    } catch (error) {
      throw new KinesisStorageError(`Cannot delete stream ${name}`, { cause: error });
    }
  }

  /** Flushes and closes every shard log. */
  close(): void {
    const errors: unknown[] = [];
    for (const stream of this.#streams.values()) {
      for (const shard of stream.shards) {
        try {
          shard.log.close();
        } catch (error) {
          errors.push(error);
        }
      }
    }
    if (errors.length > 0) throw new KinesisStorageError("Cannot flush every shard log", { cause: errors[0] });
  }

  #materialize(metadata: StreamMetadata, dir: string): KinesisStream {
    const retentionMs = metadata.retentionHours * 3_600_000;
    const shards = metadata.shards.map((shard, index): StreamShard => ({
      shardId: shard.shardId,
      index,
      range: { start: BigInt(shard.startingHashKey), end: BigInt(shard.endingHashKey) },
      log: ShardLog.open(join(dir, shard.shardId), { retentionMs, segmentBytes: this.#options.segmentBytes }),
      startingSequenceNumber: formatSequenceNumber({ streamCreatedMs: metadata.createdMs, shardIndex: index, ordinal: 0 }),
      sequenceNumber: sequenceNumberFormatter(metadata.createdMs, index),
    }));
    return {
      name: metadata.name,
      arn: this.arnOf(metadata.name),
      createdMs: metadata.createdMs,
      mode: metadata.mode,
      retentionHours: metadata.retentionHours,
      shards,
      dir,
    };
  }
}
