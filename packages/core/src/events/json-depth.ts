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
