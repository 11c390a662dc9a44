import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented API key with the expected one in constant time. Both sides are hashed
 * first so that neither the comparison nor an early length check leaks the key's length.
 */
export function apiKeyMatches(presented: string, expected: string): boolean {
  if (expected.length === 0) return false; // an unset secret must never open the door
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
