import { isDeepStrictEqual } from "node:util";

/** Whether two JSON texts hold the same value, however each was formatted. */
export function sameJson(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return a === b;
  }
}
