import { EventSourceMappingError } from "./errors.ts";
import type { StreamRecord } from "./kinesis-event.ts";

/** The stream as the mapping sees it: its ARN and where it lives. */
export interface StreamIdentity {
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
}

/** Where a shard iterator starts (GetShardIterator's types the mapping uses). */
export type IteratorPosition =
  | { readonly type: "AFTER_SEQUENCE_NUMBER"; readonly sequenceNumber: string }
  | { readonly type: "TRIM_HORIZON" | "LATEST" }
  | { readonly type: "AT_TIMESTAMP"; readonly timestamp: Date };

/** One GetRecords answer. */
export interface RecordsPage {
  readonly records: StreamRecord[];
  /** Undefined once the shard is closed and read to its end. */
  readonly nextIterator: string | undefined;
  readonly millisBehindLatest: number;
}

/**
 * The Kinesis reads a mapping makes (DescribeStreamSummary, ListShards, GetShardIterator,
 * GetRecords), with Kinesis' semantics: iterators, sequence numbers, throttling, retention. Two
 * implementations: over the wire with the SDK (`sdkStreamApi`) and in process over the embedded
 * service (`localStreamApi`), as AWS's own pollers read the stream from the inside. Errors other
 * than `ExpiredIteratorError` and `InvalidPositionError` are the source's own.
 */
export interface StreamApi {
  describeStream(streamName: string): Promise<StreamIdentity>;
  listShardIds(streamArn: string): Promise<string[]>;
  /** Rejects with `InvalidPositionError` when the stream refuses the position. */
  shardIterator(streamArn: string, shardId: string, position: IteratorPosition): Promise<string>;
  /** Rejects with `ExpiredIteratorError` once the iterator is too old. */
  getRecords(iterator: string, limit: number): Promise<RecordsPage>;
}

/** The identity in a stream ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`); undefined if it has none. */
export function identityOf(arn: string): StreamIdentity | undefined {
  const [, , , region, accountId] = arn.split(":");
  return region && accountId ? { arn, region, accountId } : undefined;
}

/** The identity DescribeStreamSummary gave `streamName`; throws when its ARN has none. */
export function describedIdentity(streamName: string, arn: string | undefined): StreamIdentity {
  const identity = identityOf(arn ?? "");
  if (!identity) throw new EventSourceMappingError(`DescribeStreamSummary gave no usable ARN for ${streamName}: ${arn ?? ""}`);
  return identity;
}

/** One ListShards answer, as both sources give it. */
interface ShardsPage {
  readonly Shards?: readonly { readonly ShardId?: string }[];
  readonly NextToken?: string;
}

/** Every shard id of the stream, following ListShards' NextToken (`page` asks for one page). */
export async function allShardIds(streamArn: string, page: (input: { StreamARN: string } | { NextToken: string }) => Promise<ShardsPage>): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const output = await page(nextToken === undefined ? { StreamARN: streamArn } : { NextToken: nextToken });
    for (const shard of output.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
    nextToken = output.NextToken;
  } while (nextToken !== undefined);
  return ids;
}
