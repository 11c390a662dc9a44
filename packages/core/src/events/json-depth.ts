/**
 * Nesting refused before parsing. Far above the 32 levels `properties` may use, so ordinary
 * over-nesting is still reported as a precise rule violation; far below the few thousand levels at
 * which V8's recursive `JSON.stringify` overflows the stack, which later stages rely on (ingest
 * re-encoding, processed NDJSON). `JSON.parse` itself is iterative and never stops deep input.
 */
export const MAX_JSON_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when JSON text (UTF-8 bytes) opens more than `limit` arrays/objects at once. A linear scan
 * that skips string contents; multi-byte UTF-8 sequences never contain ASCII bytes, so bytes are
 * enough. For malformed text it is only an upper bound, which is all a guard needs.
 */
export function exceedsJsonDepth(bytes: Uint8Array, limit: number): boolean {
  // Fast paths: every opening bracket takes a byte, so text of no more than `limit` bytes, or
  // that opens no more than `limit` brackets in all, cannot nest deeper. Counting with the native
  // indexOf spares larger ordinary events the byte-by-byte scan.
  if (bytes.length <= limit) return false;
  if (countByte(bytes, 0x7b, limit) + countByte(bytes, 0x5b, limit) <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > limit) return true;
    } else if (b === 0x5d || b === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Occurrences of `byte`, counting no further than `stopAfter` + 1. */
function countByte(bytes: Uint8Array, byte: number, stopAfter: number): number {
  let count = 0;
  for (let i = bytes.indexOf(byte); i !== -1 && count <= stopAfter; i = bytes.indexOf(byte, i + 1)) count++;
  return count;
}
