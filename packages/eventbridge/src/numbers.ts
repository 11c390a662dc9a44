/**
 * Numbers as EventBridge compares them: as IEEE-754 doubles, but only when the decimal text is
 * exactly the double it parses to (`0.1` is, `1.00000000000000001` is not: it would compare
 * equal to 1). Zero keeps its sign, so `-0` sorts just below `0` and does not equal it.
 */
export interface ComparableNumber {
  readonly value: number;
}

/** The double a JSON number's text denotes, or undefined when the text is not exactly one. */
export function comparableNumber(text: string): ComparableNumber | undefined {
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  return sameDecimal(text, String(value)) ? { value } : undefined;
}

/** Total order of doubles in which -0 < 0. */
export function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === 0 && b === 0) return Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1;
  return 0;
}

/** Compares two decimal literals by value, ignoring scale (`300.0` = `3e2`). */
function sameDecimal(a: string, b: string): boolean {
  const x = normalizeDecimal(a);
  const y = normalizeDecimal(b);
  if (x.digits === "0" && y.digits === "0") return true;
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

/** Sign, significant digits without leading/trailing zeros, and the power of ten of the last digit. */
function normalizeDecimal(text: string): { negative: boolean; digits: string; exponent: number } {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return { negative: false, digits: "NaN", exponent: 0 };
  const [, sign, whole = "", fraction = "", exp = "0"] = match;
  let digits = (whole + fraction).replace(/^0+/, "");
  let exponent = Number(exp) - fraction.length;
  if (digits === "") return { negative: sign === "-", digits: "0", exponent: 0 };
  const trimmed = digits.replace(/0+$/, "");
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return { negative: sign === "-", digits, exponent };
}
