const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

/**
 * `java.util.Random(seed).nextDouble()`: a seeded `$random(seed)` must give the same number for
 * the same seed on every run. Step Functions runs on the JVM; its seeded random is most likely this
 * generator, and it is at least a well-known, documented one.
 */
export function seededRandom(seed: number): number {
  let state = (BigInt.asIntN(64, BigInt(Math.trunc(seed))) ^ MULTIPLIER) & MASK;
  const next = (bits: bigint): number => {
    state = (state * MULTIPLIER + ADDEND) & MASK;
    return Number(state >> (48n - bits));
  };
  const high = next(26n);
  const low = next(27n);
  return (high * 2 ** 27 + low) * 2 ** -53;
}
