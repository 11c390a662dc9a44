/** Rows of `events` per generator seed (the middle part of `v2-<seed>-<i>`). */
export interface SeedRows {
  readonly seed: string;
  readonly rows: number;
  readonly distinct: number;
}

export interface Reconciled {
  /** Expected valid events found (each counted once). */
  readonly loaded: number;
  /** Expected valid events not found. */
  readonly lost: number;
  /** Rows beyond the first of their event id. */
  readonly duplicated: number;
  /** Distinct ids found beyond what was expected (of seeds not generated, or more than a seed's). */
  readonly unexpected: number;
}

/**
 * Every valid generated event exactly once: per seed, the distinct ids found against the distinct
 * valid ids accepted (lost = expected − found), and rows − distinct as duplicates.
 */
export function reconcile(expected: ReadonlyMap<string, number>, found: readonly SeedRows[]): Reconciled {
  const bySeed = new Map(found.map((f) => [f.seed, f]));
  let loaded = 0;
  let lost = 0;
  let unexpected = 0;
  for (const [seed, want] of expected) {
    const distinct = bySeed.get(seed)?.distinct ?? 0;
    loaded += Math.min(want, distinct);
    lost += Math.max(0, want - distinct);
    unexpected += Math.max(0, distinct - want);
  }
  for (const f of found) if (!expected.has(f.seed)) unexpected += f.distinct;
  const duplicated = found.reduce((n, f) => n + f.rows - f.distinct, 0);
  return { loaded, lost, duplicated, unexpected };
}
