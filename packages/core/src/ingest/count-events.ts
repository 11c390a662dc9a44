/**
 * Counts a body's events without parsing or copying them, so an over-count request is refused
 * before it costs memory: a 4 MB JSON array of two million `0`s otherwise becomes two million
 * re-encoded records (hundreds of MB of heap) only to be refused afterwards. Linear scans over
 * the bytes; string contents are skipped (multi-byte UTF-8 never contains ASCII bytes).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** True when `bytes` holds more than `limit` events, as a JSON array (`isArray`) or as NDJSON lines. */
export function exceedsEventCount(bytes: Uint8Array, isArray: boolean, limit: number): boolean {
  // Fast path: an array has at most one element more than it has commas, NDJSON at most one line
  // more than newlines; counting them with the native indexOf spares ordinary bodies the scan.
  if (countByte(bytes, isArray ? COMMA : NEWLINE, limit) < limit) return false;
  return (isArray ? countArrayElements(bytes) : countNdjsonLines(bytes)) > limit;
}

/** Elements of the top-level array of JSON text (exact for well-formed text, a bound otherwise). */
export function countArrayElements(bytes: Uint8Array): number {
  let depth = 0;
  let inString = false;
  let commas = 0;
  let content = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === 0x5b || b === 0x7b) depth++;
    else if (b === 0x5d || b === 0x7d) depth--;
    if (b === QUOTE) inString = true;
    if (depth === 1 && b === COMMA) commas++;
    else if (depth >= 1 && !(depth === 1 && (b === 0x5b || isSpace(b)))) content = true;
  }
  return content ? commas + 1 : 0;
}

/** Lines holding more than spaces and tabs (blank lines are skipped by the split too). */
export function countNdjsonLines(bytes: Uint8Array): number {
  let lines = 0;
  let content = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === NEWLINE) {
      if (content) lines++;
      content = false;
    } else if (!isSpace(b)) {
      content = true;
    }
  }
  return content ? lines + 1 : lines;
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

/** Occurrences of `byte`, counting no further than `stopAfter` + 1. */
function countByte(bytes: Uint8Array, byte: number, stopAfter: number): number {
  let count = 0;
  for (let i = bytes.indexOf(byte); i !== -1 && count <= stopAfter; i = bytes.indexOf(byte, i + 1)) count++;
  return count;
}
