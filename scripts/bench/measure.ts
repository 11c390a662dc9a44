/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns calls per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, ms = 2000): Promise<number> {
  const warmUntil = performance.now() + ms / 4;
  while (performance.now() < warmUntil) await fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    await fn();
    calls += 1;
    elapsed = performance.now() - start;
  }
  return (calls * 1000) / elapsed;
}

export function format(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * Calls per second of each function, measured side by side: after a warm-up, they run in
 * alternating slices of about `sliceMs` for about `ms` each, and each rate is the median over its
 * slices. On a shared machine, another process's burst then slows a few slices of both rather
 * than the whole run of one, which is what made a ratio measured one after the other wander.
 */
export async function compareOpsPerSecond(
  fns: readonly (() => unknown | Promise<unknown>)[],
  ms = 2000,
  sliceMs = 100,
): Promise<number[]> {
  for (const fn of fns) {
    const warmUntil = performance.now() + ms / 4;
    while (performance.now() < warmUntil) await fn();
  }
  const rates: number[][] = fns.map(() => []);
  for (let round = 0; round < Math.max(1, Math.round(ms / sliceMs)); round++) {
    for (const [i, fn] of fns.entries()) {
      let calls = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < sliceMs) {
        await fn();
        calls += 1;
        elapsed = performance.now() - start;
      }
      rates[i]?.push((calls * 1000) / elapsed);
    }
  }
  return rates.map(median);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A goal a measurement is held to: below (`<`) or above (`>`) `limit`, in `unit`. */
export interface Goal {
  readonly op: "<" | ">";
  readonly limit: number;
  readonly unit: string;
}

/** `value` with its goal and whether it met it: `12.3 MB (goal < 20 MB) ✓`, or `✗` when missed. */
export function againstGoal(value: number, goal: Goal, digits = 0): string {
  const met = goal.op === "<" ? value < goal.limit : value > goal.limit;
  return `${format(value, digits)} ${goal.unit} (goal ${goal.op} ${format(goal.limit)} ${goal.unit}) ${met ? "✓" : "✗"}`;
}
