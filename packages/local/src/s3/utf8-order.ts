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
