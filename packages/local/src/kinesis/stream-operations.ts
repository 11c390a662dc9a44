import { KinesisApiError, invalidArgument } from "./errors.ts";
import { resolveStream, streamNameOf, type KinesisContext } from "./context.ts";
import { decodeNextToken, encodeNextToken } from "./next-tokens.ts";
import type { KinesisStream, StreamMode, StreamShard } from "./stream-store.ts";
import { optionalInteger, optionalObject, optionalString, Violations, type JsonObject } from "./validation.ts";

const STREAM_MODES: readonly StreamMode[] = ["ON_DEMAND", "PROVISIONED"];

/** Epoch seconds with a fraction: how AWS JSON protocols send timestamps. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function describeShard(shard: StreamShard) {
  return {
    ShardId: shard.shardId,
    HashKeyRange: { StartingHashKey: shard.range.start.toString(), EndingHashKey: shard.range.end.toString() },
    SequenceNumberRange: { StartingSequenceNumber: shard.startingSequenceNumber },
  };
}

/**
 * CreateStream. Without `StreamModeDetails` a `ShardCount` means PROVISIONED and its absence
 * ON_DEMAND, as AWS decides. Streams are ACTIVE at once (AWS passes through CREATING first, which
 * clients wait out with `waitUntilStreamExists`, a wait that then ends on the first poll).
 */
export function createStream(ctx: KinesisContext, input: JsonObject): object {
  const name = optionalString(input, "StreamName");
  const shardCount = optionalInteger(input, "ShardCount");
  const modeDetails = optionalObject(input, "StreamModeDetails");
  const requestedMode = modeDetails ? optionalString(modeDetails, "StreamMode") : undefined;
  const violations = new Violations();
  violations.required(name, "streamName");
  violations.streamName(name);
  violations.range(shardCount, "shardCount", 1, 100_000);
  if (modeDetails) violations.required(requestedMode, "streamModeDetails.streamMode");
  violations.oneOf(requestedMode, "streamModeDetails.streamMode", STREAM_MODES);
  violations.throwIfAny();

  const mode: StreamMode = (requestedMode as StreamMode | undefined) ?? (shardCount === undefined ? "ON_DEMAND" : "PROVISIONED");
  if (mode === "PROVISIONED" && shardCount === undefined) {
    throw invalidArgument("ShardCount is required for streams in PROVISIONED mode.");
  }
  if (mode === "ON_DEMAND" && shardCount !== undefined) {
    throw invalidArgument("ShardCount cannot be specified for streams in ON_DEMAND mode.");
  }
  if (ctx.store.get(name!)) {
    throw new KinesisApiError("ResourceInUseException", `Stream ${name} under account ${ctx.accountId} already exists.`);
  }
  const shards = shardCount ?? ctx.onDemandShardCount;
  const open = ctx.store.openShardCount();
  if (open + shards > ctx.shardLimit) {
    throw new KinesisApiError(
      "LimitExceededException",
      `This request would exceed the shard limit for the account ${ctx.accountId} in ${ctx.region}. ` +
        `Current shard count for the account: ${open}. Limit: ${ctx.shardLimit}. Number of additional shards that would have resulted from this request: ${shards}.`,
    );
  }
  ctx.store.create(name!, mode, shards, ctx.now());
  return {};
}

export function deleteStream(ctx: KinesisContext, input: JsonObject): object {
  const stream = resolveStream(ctx, input);
  ctx.store.delete(stream.name);
  return {};
}

function streamBasics(stream: KinesisStream) {
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    StreamStatus: "ACTIVE",
    StreamModeDetails: { StreamMode: stream.mode },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: epochSeconds(stream.createdMs),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: "NONE",
  };
}

export function describeStreamSummary(ctx: KinesisContext, input: JsonObject): object {
  const stream = resolveStream(ctx, input);
  return {
    StreamDescriptionSummary: {
      ...streamBasics(stream),
      OpenShardCount: stream.shards.length,
      ConsumerCount: 0,
    },
  };
}

/** DescribeStream, paged by `Limit` (default 100) and `ExclusiveStartShardId` like AWS. */
export function describeStream(ctx: KinesisContext, input: JsonObject): object {
  const limit = optionalInteger(input, "Limit");
  const startAfter = optionalString(input, "ExclusiveStartShardId");
  const violations = new Violations();
  violations.range(limit, "limit", 1, 10_000);
  violations.throwIfAny();
  const stream = resolveStream(ctx, input);
  const remaining = stream.shards.filter((shard) => startAfter === undefined || shard.shardId > startAfter);
  const page = remaining.slice(0, limit ?? 100);
  return {
    StreamDescription: {
      ...streamBasics(stream),
      Shards: page.map(describeShard),
      HasMoreShards: page.length < remaining.length,
    },
  };
}

/** ListStreams: names and summaries in name order, paged by `Limit` and a NextToken. */
export function listStreams(ctx: KinesisContext, input: JsonObject): object {
  const limit = optionalInteger(input, "Limit");
  const startAfterName = optionalString(input, "ExclusiveStartStreamName");
  const token = optionalString(input, "NextToken");
  const violations = new Violations();
  violations.range(limit, "limit", 1, 10_000);
  violations.streamName(startAfterName, "exclusiveStartStreamName");
  violations.throwIfAny();
  const now = ctx.now();
  const after = token !== undefined ? decodeNextToken("ListStreams", token, now).after : startAfterName;
  const remaining = ctx.store.list().filter((stream) => after === undefined || stream.name > after);
  const page = remaining.slice(0, Math.min(limit ?? 100, 100));
  const hasMore = page.length < remaining.length;
  return {
    StreamNames: page.map((stream) => stream.name),
    HasMoreStreams: hasMore,
    StreamSummaries: page.map((stream) => ({
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: "ACTIVE",
      StreamModeDetails: { StreamMode: stream.mode },
      StreamCreationTimestamp: epochSeconds(stream.createdMs),
    })),
    ...(hasMore ? { NextToken: encodeNextToken("ListStreams", "", page.at(-1)!.name, now) } : {}),
  };
}

const SHARD_FILTER_TYPES = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"];

/**
 * ListShards: a `NextToken` continues a listing and must come without `StreamName`. Every shard
 * of an embedded stream is open (there is no resharding), so the time-based filters return all of
 * them; `AFTER_SHARD_ID` returns the shards after the one given.
 */
export function listShards(ctx: KinesisContext, input: JsonObject): object {
  const token = optionalString(input, "NextToken");
  const maxResults = optionalInteger(input, "MaxResults");
  const exclusiveStart = optionalString(input, "ExclusiveStartShardId");
  const filter = optionalObject(input, "ShardFilter");
  const filterType = filter ? optionalString(filter, "Type") : undefined;
  const violations = new Violations();
  violations.range(maxResults, "maxResults", 1, 10_000);
  if (filter) violations.required(filterType, "shardFilter.type");
  violations.oneOf(filterType, "shardFilter.type", SHARD_FILTER_TYPES);
  violations.throwIfAny();

  const now = ctx.now();
  let streamName: string;
  let after: string | undefined;
  if (token !== undefined) {
    if (input.StreamName !== undefined || input.StreamARN !== undefined) {
      throw invalidArgument("NextToken and StreamName cannot be provided together.");
    }
    const decoded = decodeNextToken("ListShards", token, now);
    streamName = decoded.scope;
    after = decoded.after;
  } else {
    streamName = streamNameOf(ctx, input);
    after = exclusiveStart;
    if (filterType === "AFTER_SHARD_ID") {
      const shardId = optionalString(filter!, "ShardId");
      if (shardId === undefined) throw invalidArgument("ShardId is required when ShardFilter Type is AFTER_SHARD_ID.");
      after = after === undefined || shardId > after ? shardId : after;
    }
  }
  const stream = resolveStream(ctx, { StreamName: streamName });
  const remaining = stream.shards.filter((shard) => after === undefined || shard.shardId > after);
  const page = remaining.slice(0, maxResults ?? 1000);
  const hasMore = page.length < remaining.length;
  return {
    Shards: page.map(describeShard),
    ...(hasMore ? { NextToken: encodeNextToken("ListShards", stream.name, page.at(-1)!.shardId, now) } : {}),
  };
}
