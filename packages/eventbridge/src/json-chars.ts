/** Characters as Jackson (the JSON parser EventBridge reads patterns with) classifies and shows them. */

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Java's `Character.isJavaIdentifierPart`, close enough for the characters Jackson reports. */
export function isIdentifierChar(c: string): boolean {
  return /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\p{Sc}]/u.test(c);
}

/** Jackson shows control characters of the source (other than CR and LF) as `\uXXXX`. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

/** Jackson's `_getCharDesc`: `'x' (code 120)` or `(CTRL-CHAR, code 10)`. */
export function charDesc(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 32) return `(CTRL-CHAR, code ${code})`;
  if (code > 255) return `'${c}' (code ${code} / 0x${code.toString(16)})`;
  return `'${c}' (code ${code})`;
}
