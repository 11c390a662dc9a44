/**
 * Sequence numbers are 56 decimal digits like AWS's, laid out so that plain string comparison
 * orders them within a shard and so that they name their stream incarnation and shard:
 *
 *   "49" | stream creation time, ms (15) | shard index (8) | record ordinal in the shard (31)
 *
 * A record's ordinal is its position in the shard since creation, so a sequence number finds its
 * record without a lookup table, and a stream deleted and recreated under the same name rejects
 * sequence numbers of its predecessor.
 */
const PREFIX = "49";
const CREATED_DIGITS = 15;
const SHARD_DIGITS = 8;
const ORDINAL_DIGITS = 31;
export const SEQUENCE_NUMBER_LENGTH = PREFIX.length + CREATED_DIGITS + SHARD_DIGITS + ORDINAL_DIGITS;

export interface SequenceNumberParts {
  readonly streamCreatedMs: number;
  readonly shardIndex: number;
  readonly ordinal: number;
}

export function formatSequenceNumber(parts: SequenceNumberParts): string {
  return (
    PREFIX +
    String(parts.streamCreatedMs).padStart(CREATED_DIGITS, "0") +
    String(parts.shardIndex).padStart(SHARD_DIGITS, "0") +
    String(parts.ordinal).padStart(ORDINAL_DIGITS, "0")
  );
}

/**
 * Builds the sequence numbers of a shard quickly: only the ordinal changes between records, so
 * the stream/shard part is formatted once.
 */
export function sequenceNumberFormatter(streamCreatedMs: number, shardIndex: number): (ordinal: number) => string {
  const head = formatSequenceNumber({ streamCreatedMs, shardIndex, ordinal: 0 }).slice(0, -ORDINAL_DIGITS);
  return (ordinal) => head + String(ordinal).padStart(ORDINAL_DIGITS, "0");
}

/** Undefined when `text` is not a sequence number this service could have issued. */
export function parseSequenceNumber(text: string): SequenceNumberParts | undefined {
  if (text.length !== SEQUENCE_NUMBER_LENGTH || !text.startsWith(PREFIX) || !/^\d+$/.test(text)) return undefined;
  let at = PREFIX.length;
  const streamCreatedMs = Number(text.slice(at, (at += CREATED_DIGITS)));
  const shardIndex = Number(text.slice(at, (at += SHARD_DIGITS)));
  const ordinal = Number(text.slice(at));
  if (!Number.isSafeInteger(ordinal)) return undefined;
  return { streamCreatedMs, shardIndex, ordinal };
}
