/**
 * Compares strings in the order of their UTF-8 bytes, which is S3's listing order. JavaScript's
 * `<` compares UTF-16 code units, which agrees with code-point (and so UTF-8) order except between
 * surrogates (code points above U+FFFF) and U+E000–U+FFFF, so only that case needs fixing.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const xSurrogate = x <= 0xdfff;
      const ySurrogate = y <= 0xdfff;
      if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Index of the first element of sorted `keys` that is not less than `target` (UTF-8 order). */
export function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(keys[mid]!, target) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of sorted `keys` that is greater than `target`. */
export function upperBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(keys[mid]!, target) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
