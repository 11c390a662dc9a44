import { hash } from "node:crypto";

/** AWS shard iterators expire five minutes after they are issued. */
export const ITERATOR_LIFETIME_MS = 5 * 60_000;

export interface ShardIteratorState {
  readonly streamName: string;
  readonly streamCreatedMs: number;
  readonly shardIndex: number;
  /** Ordinal of the next record to return. */
  readonly ordinal: number;
  readonly issuedMs: number;
}

// The checksum only tells a mangled or foreign token from ours; iterators are not secrets.
const SALT = "freshet-kinesis-iterator-v1";
const VERSION = "1";

function checksum(payload: string): string {
  return hash("sha256", SALT + payload, "hex").slice(0, 16);
}

/** An opaque token (base64, like AWS's) carrying the reading position. */
export function encodeShardIterator(state: ShardIteratorState): string {
  const payload = [VERSION, state.streamCreatedMs, state.shardIndex, state.ordinal, state.issuedMs, state.streamName].join("|");
  return Buffer.from(`${payload}|${checksum(payload)}`, "utf8").toString("base64");
}

/** Undefined when the token was not issued by this service (or was altered). */
export function decodeShardIterator(token: string): ShardIteratorState | undefined {
  if (token.length === 0 || token.length > 512) return undefined;
  const text = Buffer.from(token, "base64").toString("utf8");
  const cut = text.lastIndexOf("|");
  if (cut < 0) return undefined;
  const payload = text.slice(0, cut);
  if (checksum(payload) !== text.slice(cut + 1)) return undefined;
  const [version, created, shard, ordinal, issued, ...name] = payload.split("|");
  if (version !== VERSION) return undefined;
  const numbers = [created, shard, ordinal, issued].map(Number);
  if (!numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  return {
    streamCreatedMs: numbers[0]!,
    shardIndex: numbers[1]!,
    ordinal: numbers[2]!,
    issuedMs: numbers[3]!,
    streamName: name.join("|"),
  };
}
