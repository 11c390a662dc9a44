/**
 * The scoring pieces of AWS's random-cut-forest-by-aws (CommonUtils and AnomalyScoreVisitor),
 * kept as small pure functions so they can be checked against the reference values.
 */

/** Score of a query equal to the leaf's point: damped by the leaf's share of the tree's mass. */
export function scoreSeen(depth: number, leafMass: number, treeMass: number): number {
  return (1 - leafMass / (2 * treeMass)) / (depth + Math.log2(leafMass + 1));
}

/** Score of a query that is isolated at `depth`. */
export function scoreUnseen(depth: number): number {
  return 1 / (depth + 1);
}

/** Scales a tree's raw score so that normal points score near 1 whatever the tree's mass. */
export function normalizeScore(score: number, treeMass: number): number {
  return score * Math.log2(treeMass + 1);
}

/**
 * Probability that a random cut of the box grown to hold `q` separates `q` from the box:
 * the distance outside the box over the grown box's total side length; 0 inside the box.
 */
export function probabilityOfSeparation(lo: ArrayLike<number>, hi: ArrayLike<number>, q: ArrayLike<number>, offset = 0): number {
  let outside = 0;
  let range = 0;
  for (let i = 0; i < q.length; i++) {
    const low = lo[offset + i]!;
    const high = hi[offset + i]!;
    const value = q[i]!;
    if (value < low) outside += low - value;
    else if (value > high) outside += value - high;
    range += high - low;
  }
  if (outside === 0) return 0;
  return outside / (outside + range);
}
