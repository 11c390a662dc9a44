import { KinesisApiError, invalidArgument } from "./errors.ts";
import { resolveStream, type KinesisContext } from "./context.ts";
import { parseExplicitHashKey, partitionKeyHash, rangeIndexFor, type HashKeyRange } from "./hash-keys.ts";
import type { AppendEntry } from "./shard-log.ts";
import type { KinesisStream } from "./stream-store.ts";
import { base64Size, optionalArray, optionalString, Violations, type JsonObject } from "./validation.ts";

export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_PUT_RECORDS_ENTRIES = 500;
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
const MAX_PARTITION_KEY_LENGTH = 256;

interface PutEntry {
  readonly partitionKey: string;
  readonly data: string;
  readonly dataBytes: number;
  readonly explicitHashKey: string | undefined;
}

/**
 * Reads one record entry (`path` like `records.3.member` for messages), collecting constraint
 * violations as AWS does: partition key 1–256 characters, data at most 1 MiB, hash key decimal.
 */
function readEntry(raw: unknown, path: string, violations: Violations): PutEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new KinesisApiError("SerializationException", `${path} must be a structure`);
  }
  const input = raw as JsonObject;
  const at = (field: string) => (path === "" ? field : `${path}.${field}`);
  const partitionKey = optionalString(input, "PartitionKey");
  const data = optionalString(input, "Data");
  const explicitHashKey = optionalString(input, "ExplicitHashKey");
  const dataBytes = data === undefined ? 0 : base64Size(data);
  if (dataBytes === undefined) throw new KinesisApiError("SerializationException", `${at("data")} is not valid base64`);
  violations.required(partitionKey, at("partitionKey"));
  violations.required(data, at("data"));
  if (partitionKey !== undefined) {
    violations.check(partitionKey.length >= 1, at("partitionKey"), "have length greater than or equal to 1", partitionKey);
    violations.check(
      partitionKey.length <= MAX_PARTITION_KEY_LENGTH,
      at("partitionKey"),
      `have length less than or equal to ${MAX_PARTITION_KEY_LENGTH}`,
      partitionKey,
    );
  }
  violations.check(dataBytes <= MAX_RECORD_BYTES, at("data"), `have length less than or equal to ${MAX_RECORD_BYTES}`);
  if (explicitHashKey !== undefined) {
    violations.check(/^(0|([1-9]\d{0,38}))$/.test(explicitHashKey), at("explicitHashKey"), "satisfy regular expression pattern: 0|([1-9]\\d{0,38})", explicitHashKey);
  }
  return { partitionKey: partitionKey ?? "", data: data ?? "", dataBytes, explicitHashKey };
}

/** Index of the shard owning an entry: its explicit hash key, else the MD5 of its partition key. */
function shardIndexOf(ranges: readonly HashKeyRange[], entry: PutEntry): number {
  let key: bigint;
  if (entry.explicitHashKey !== undefined) {
    const parsed = parseExplicitHashKey(entry.explicitHashKey);
    if (parsed === undefined) {
      throw invalidArgument(
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${entry.explicitHashKey}`,
      );
    }
    key = parsed;
  } else {
    key = partitionKeyHash(entry.partitionKey);
  }
  return rangeIndexFor(ranges, key);
}

function recordBytes(entry: PutEntry): number {
  return entry.dataBytes + Buffer.byteLength(entry.partitionKey);
}

type EntryResult = { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * Writes the entries the fault hook lets through, one append per shard so that a request's records
 * keep their order within each shard; throttled entries get AWS's per-entry error instead.
 */
function writeEntries(ctx: KinesisContext, stream: KinesisStream, entries: readonly PutEntry[]): EntryResult[] {
  const results: EntryResult[] = new Array(entries.length);
  const byShard = new Map<number, { positions: number[]; appends: AppendEntry[] }>();
  const ranges = stream.shards.map((shard) => shard.range);
  const shardIndexes = entries.map((entry) => shardIndexOf(ranges, entry));
  for (const [position, entry] of entries.entries()) {
    const shardIndex = shardIndexes[position]!;
    if (ctx.faults.putRecord?.(stream.name, entry.partitionKey, position)) {
      const shardId = stream.shards[shardIndex]!.shardId;
      results[position] = {
        ErrorCode: "ProvisionedThroughputExceededException",
        ErrorMessage: `Rate exceeded for shard ${shardId} in stream ${stream.name} under account ${ctx.accountId}.`,
      };
      continue;
    }
    let group = byShard.get(shardIndex);
    if (!group) byShard.set(shardIndex, (group = { positions: [], appends: [] }));
    group.positions.push(position);
    group.appends.push({ partitionKey: entry.partitionKey, data: entry.data });
  }
  const arrivalMs = ctx.now();
  for (const [shardIndex, group] of byShard) {
    const shard = stream.shards[shardIndex]!;
    const first = shard.log.append(group.appends, arrivalMs);
    for (const [i, position] of group.positions.entries()) {
      results[position] = { SequenceNumber: shard.sequenceNumber(first + i), ShardId: shard.shardId };
    }
  }
  return results;
}

/** PutRecords: up to 500 entries and 5 MiB; entries succeed or fail one by one. */
export function putRecords(ctx: KinesisContext, input: JsonObject): object {
  const raw = optionalArray(input, "Records");
  const violations = new Violations();
  violations.required(raw, "records");
  if (raw) {
    violations.check(raw.length >= 1, "records", "have length greater than or equal to 1");
    violations.check(raw.length <= MAX_PUT_RECORDS_ENTRIES, "records", `have length less than or equal to ${MAX_PUT_RECORDS_ENTRIES}`);
  }
  const entries = (raw ?? []).map((entry, i) => readEntry(entry, `records.${i + 1}.member`, violations));
  violations.throwIfAny();
  let total = 0;
  for (const entry of entries) {
    const size = recordBytes(entry);
    if (size > MAX_RECORD_BYTES) throw invalidArgument(`Record size (data and partition key) exceeds the ${MAX_RECORD_BYTES} bytes limit.`);
    total += size;
  }
  if (total > MAX_PUT_RECORDS_BYTES) throw invalidArgument("Records size exceeds 5 MB limit");
  const stream = resolveStream(ctx, input);
  const results = writeEntries(ctx, stream, entries);
  return {
    FailedRecordCount: results.filter((result) => "ErrorCode" in result).length,
    Records: results,
  };
}

/** PutRecord: one entry; a throttled entry fails the whole call, as AWS answers it. */
export function putRecord(ctx: KinesisContext, input: JsonObject): object {
  const violations = new Violations();
  const entry = readEntry(input, "", violations);
  const ordering = optionalString(input, "SequenceNumberForOrdering");
  if (ordering !== undefined) {
    violations.check(/^(0|([1-9]\d{0,128}))$/.test(ordering), "sequenceNumberForOrdering", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})", ordering);
  }
  violations.throwIfAny();
  if (recordBytes(entry) > MAX_RECORD_BYTES) {
    throw invalidArgument(`Record size (data and partition key) exceeds the ${MAX_RECORD_BYTES} bytes limit.`);
  }
  const stream = resolveStream(ctx, input);
  // Records of a shard are strictly ordered already, so SequenceNumberForOrdering needs no work.
  const [result] = writeEntries(ctx, stream, [entry]);
  if (result && "ErrorCode" in result) throw new KinesisApiError(result.ErrorCode, result.ErrorMessage);
  return result!;
}
