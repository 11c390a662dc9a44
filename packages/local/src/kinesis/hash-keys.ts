import { hash } from "node:crypto";

/** Kinesis hash keys span [0, 2^128 - 1]. */
export const HASH_KEY_SPACE = 1n << 128n;

export interface HashKeyRange {
  readonly start: bigint;
  readonly end: bigint;
}

/** The 128-bit hash key Kinesis derives from a partition key: MD5 of its UTF-8 bytes, big-endian. */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${hash("md5", partitionKey, "hex")}`);
}

/**
 * Splits the hash key space evenly over `count` shards as AWS does for new streams: each shard gets
 * floor(2^128 / count) keys and the last one also takes the remainder.
 */
export function evenHashKeyRanges(count: number): HashKeyRange[] {
  const width = HASH_KEY_SPACE / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    start: width * BigInt(i),
    end: i === count - 1 ? HASH_KEY_SPACE - 1n : width * BigInt(i + 1) - 1n,
  }));
}

/** Index of the range holding `key`; ranges are sorted and cover the whole space. */
export function rangeIndexFor(ranges: readonly HashKeyRange[], key: bigint): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ranges[mid]!.start <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Parses an `ExplicitHashKey`; undefined when it is not a decimal in [0, 2^128 - 1]. */
export function parseExplicitHashKey(text: string): bigint | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(text)) return undefined;
  const key = BigInt(text);
  return key < HASH_KEY_SPACE ? key : undefined;
}
