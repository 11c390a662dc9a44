import { KinesisApiError, invalidArgument, resourceNotFound } from "./errors.ts";
import { resolveStream, type KinesisContext } from "./context.ts";
import { parseSequenceNumber } from "./sequence-numbers.ts";
import { decodeShardIterator, encodeShardIterator, ITERATOR_LIFETIME_MS } from "./shard-iterators.ts";
import type { KinesisStream, StreamShard } from "./stream-store.ts";
import { epochSeconds } from "./stream-operations.ts";
import { optionalInteger, optionalNumber, optionalString, Violations, type JsonObject } from "./validation.ts";

const ITERATOR_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
/** GetRecords returns at most 10 MiB (and 10,000 records) per call. */
const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;
const MAX_GET_RECORDS_LIMIT = 10_000;

function shardNotFound(ctx: KinesisContext, shardId: string, stream: string): Error {
  return resourceNotFound(`Shard ${shardId} in stream ${stream} under account ${ctx.accountId} does not exist`);
}

/** The shard named `shardId-000000000001` (or by its bare number, which AWS also accepts). */
function findShard(ctx: KinesisContext, stream: KinesisStream, shardId: string): StreamShard {
  const digits = /^(?:shardId-)?(\d{1,12})$/.exec(shardId)?.[1];
  const shard = digits === undefined ? undefined : stream.shards[Number(digits)];
  if (!shard) throw shardNotFound(ctx, shardId, stream.name);
  return shard;
}

/** Ordinal a sequence number names in `shard`, rejecting numbers from other shards or streams. */
function ordinalOf(ctx: KinesisContext, stream: KinesisStream, shard: StreamShard, sequenceNumber: string): number {
  const parts = parseSequenceNumber(sequenceNumber);
  const invalid = (why: string) =>
    invalidArgument(
      `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${ctx.accountId} is invalid${why}.`,
    );
  if (!parts) throw invalid("");
  if (parts.streamCreatedMs !== stream.createdMs) throw invalid(" because it did not come from this stream");
  if (parts.shardIndex !== shard.index) {
    throw invalidArgument(
      `Invalid StartingSequenceNumber. It encodes shardId-${String(parts.shardIndex).padStart(12, "0")}, while it was used in a call to a shard with ${shard.shardId}`,
    );
  }
  if (parts.ordinal >= shard.log.endOrdinal) throw invalid(" because no record with it has been written yet");
  return parts.ordinal;
}

export function getShardIterator(ctx: KinesisContext, input: JsonObject): object {
  const shardId = optionalString(input, "ShardId");
  const type = optionalString(input, "ShardIteratorType");
  const startingSequenceNumber = optionalString(input, "StartingSequenceNumber");
  const timestamp = optionalNumber(input, "Timestamp");
  const violations = new Violations();
  violations.required(shardId, "shardId");
  violations.required(type, "shardIteratorType");
  violations.oneOf(type, "shardIteratorType", ITERATOR_TYPES);
  if (startingSequenceNumber !== undefined) {
    violations.check(/^(0|[1-9]\d{0,128})$/.test(startingSequenceNumber), "startingSequenceNumber", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})", startingSequenceNumber);
  }
  violations.throwIfAny();
  const stream = resolveStream(ctx, input);
  const shard = findShard(ctx, stream, shardId!);
  const now = ctx.now();
  const bySequence = type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER";
  if (bySequence !== (startingSequenceNumber !== undefined)) {
    throw invalidArgument(
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
        `(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} and ${bySequence ? "no" : "also a"} StartingSequenceNumber.`,
    );
  }
  let ordinal: number;
  switch (type) {
    case "TRIM_HORIZON":
      ordinal = shard.log.trimHorizon(now);
      break;
    case "LATEST":
      ordinal = shard.log.endOrdinal;
      break;
    case "AT_SEQUENCE_NUMBER":
      ordinal = ordinalOf(ctx, stream, shard, startingSequenceNumber!);
      break;
    case "AFTER_SEQUENCE_NUMBER":
      ordinal = ordinalOf(ctx, stream, shard, startingSequenceNumber!) + 1;
      break;
    default: {
      if (timestamp === undefined) throw invalidArgument("The timestampInMillis parameter cannot be null for ShardIteratorType AT_TIMESTAMP");
      ordinal = Math.max(shard.log.trimHorizon(now), shard.log.firstOrdinalAtOrAfter(timestamp * 1000));
    }
  }
  return {
    ShardIterator: encodeShardIterator({
      streamName: stream.name,
      streamCreatedMs: stream.createdMs,
      shardIndex: shard.index,
      ordinal,
      issuedMs: now,
    }),
  };
}

function toAmzTime(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "UTC");
}

/**
 * GetRecords: records from the iterator's position on (positions past retention start at the
 * trim horizon), a fresh iterator after the last one returned, and how far behind the tip the
 * reader now is (the age of the oldest unread record, 0 when caught up).
 */
export function getRecords(ctx: KinesisContext, input: JsonObject): object {
  const token = optionalString(input, "ShardIterator");
  const limit = optionalInteger(input, "Limit");
  const violations = new Violations();
  violations.required(token, "shardIterator");
  if (token !== undefined) {
    violations.check(token.length >= 1 && token.length <= 512, "shardIterator", "have length between 1 and 512");
  }
  violations.range(limit, "limit", 1, MAX_GET_RECORDS_LIMIT);
  violations.throwIfAny();
  const iterator = decodeShardIterator(token!);
  if (!iterator) throw invalidArgument("Invalid ShardIterator.");
  const now = ctx.now();
  if (now - iterator.issuedMs > ITERATOR_LIFETIME_MS) {
    throw new KinesisApiError(
      "ExpiredIteratorException",
      `Iterator expired. The iterator was created at time ${toAmzTime(iterator.issuedMs)} while right now it is ${toAmzTime(now)} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
    );
  }
  const stream = ctx.store.get(iterator.streamName);
  const shard = stream?.createdMs === iterator.streamCreatedMs ? stream.shards[iterator.shardIndex] : undefined;
  if (!stream || !shard) {
    throw shardNotFound(ctx, `shardId-${String(iterator.shardIndex).padStart(12, "0")}`, iterator.streamName);
  }
  if (ctx.faults.getRecords?.(stream.name, shard.shardId)) {
    throw new KinesisApiError(
      "ProvisionedThroughputExceededException",
      `Rate exceeded for shard ${shard.shardId} in stream ${stream.name} under account ${ctx.accountId}.`,
    );
  }
  const from = Math.max(iterator.ordinal, shard.log.trimHorizon(now));
  const stored = shard.log.read(from, limit ?? MAX_GET_RECORDS_LIMIT, MAX_GET_RECORDS_BYTES);
  const next = stored.length > 0 ? stored.at(-1)!.ordinal + 1 : from;
  const oldestUnread = next < shard.log.endOrdinal ? shard.log.arrivalOf(next) : undefined;
  return {
    Records: stored.map((record) => ({
      SequenceNumber: shard.sequenceNumber(record.ordinal),
      ApproximateArrivalTimestamp: epochSeconds(record.arrivalMs),
      Data: record.data,
      PartitionKey: record.partitionKey,
    })),
    NextShardIterator: encodeShardIterator({ ...iterator, ordinal: next, issuedMs: now }),
    MillisBehindLatest: oldestUnread === undefined ? 0 : Math.max(0, now - oldestUnread),
  };
}
