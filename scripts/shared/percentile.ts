/**
 * The nearest-rank percentile (`p` in 0–1) of `values`: the smallest value at least `p` of them
 * are at or below. NaN for no values. Infinity counts too: a probe never found stays the slowest.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}
