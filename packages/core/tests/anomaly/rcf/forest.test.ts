import { describe, expect, it } from "vitest";
import { InvalidForestOptionsError, InvalidForestStateError, InvalidPointError, RandomCutForest, Shingle, trainForest, type ForestState } from "../../../src/index.ts";
import { Xoshiro128 } from "../../../src/anomaly/rcf/random.ts";
import { normalizeScore, probabilityOfSeparation, scoreSeen } from "../../../src/anomaly/rcf/scoring.ts";
import { RandomCutTree } from "../../../src/anomaly/rcf/tree.ts";

/** A seeded standard normal (Box–Muller), so the data sets are the same every run. */
function normals(seed: number): () => number {
  const random = Xoshiro128.fromSeed(seed);
  return () => Math.sqrt(-2 * Math.log(random.nextOpen())) * Math.cos(2 * Math.PI * random.nextOpen());
}

/** A 1-d series: noise around 10 with a daily-like wave, as a metric per minute. */
function series(length: number, seed: number): number[] {
  const normal = normals(seed);
  return Array.from({ length }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 60) + 0.3 * normal());
}

function shingled(values: readonly number[], size: number): number[][] {
  const shingle = new Shingle(size);
  return values.map((value) => shingle.push(value)).filter((point): point is number[] => point !== undefined);
}

function stream(forest: RandomCutForest, points: readonly (readonly number[])[]): number[] {
  return points.map((point) => {
    const score = forest.score(point);
    forest.update(point);
    return score;
  });
}

describe("random cut tree: the reference values of random-cut-forest-by-aws", () => {
  const tree = new RandomCutTree(1, 2);
  const random = Xoshiro128.fromSeed(1);
  tree.insert([0], random);
  tree.insert([1], random);

  it("scores a 1-d tree holding {0} and {1}", () => {
    expect(tree.score([2])).toBeCloseTo(1.188722, 6);
    expect(tree.score([1])).toBeCloseTo(0.594361, 6);
    expect(tree.score([0.5])).toBeCloseTo(0.792481, 6);
    expect(tree.score([10])).toBeCloseTo(1.505714, 6);
  });

  it("scores a seen leaf at depth 100 with mass 10 in a tree of mass 21", () => {
    expect(normalizeScore(scoreSeen(100, 10, 21), 21)).toBeCloseTo(0.032841, 6);
  });

  it("gives the probability that a cut separates a point from a box", () => {
    const lo = [0, 0, 0];
    const hi = [1, 2, 3];
    expect(probabilityOfSeparation(lo, hi, [0.5, 0.5, 0.5])).toBe(0);
    expect(probabilityOfSeparation(lo, hi, [2, 0.5, 0.5])).toBeCloseTo(1 / 7, 12);
    expect(probabilityOfSeparation(lo, hi, [0.5, -3, 4])).toBeCloseTo(0.4, 12);
  });

  it("deletes back to what it held: the mass falls and the box shrinks", () => {
    const small = new RandomCutTree(1, 3);
    const r = Xoshiro128.fromSeed(2);
    small.insert([0], r);
    small.insert([1], r);
    const far = small.insert([100], r);
    small.delete(far);
    expect(small.totalMass).toBe(2);
    expect(small.score([2])).toBeCloseTo(1.188722, 6);
  });
});

describe("RandomCutForest", () => {
  it("scores the centre of a 3-d mixture below 1 and a far point above 1", () => {
    const normal = normals(7);
    const random = Xoshiro128.fromSeed(8);
    const forest = new RandomCutForest({ dimensions: 3, seed: 42 });
    for (let i = 0; i < 10_000; i++) {
      const excursion = random.nextOpen() < 0.05;
      const [mean, sd] = excursion ? [5, 1.5] : [0, 1];
      forest.update([mean + sd * normal(), mean + sd * normal(), mean + sd * normal()]);
    }
    expect(forest.score([0, 0, 0])).toBeLessThan(1);
    expect(forest.score([8, 8, 8])).toBeGreaterThan(1);
  });

  it("flags a spike in a shingled series well above its normal scores", () => {
    const values = series(3000, 3);
    values[2500] = 25;
    const scores = stream(new RandomCutForest({ dimensions: 4, numberOfTrees: 50, seed: 1 }), shingled(values, 4));
    const normal = scores.slice(500, 2400);
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    const sd = Math.sqrt(normal.reduce((a, b) => a + (b - mean) ** 2, 0) / normal.length);
    expect(scores[2500 - 3]!).toBeGreaterThan(mean + 3 * sd);
  });

  it("never changes the forest when scoring", () => {
    const forest = new RandomCutForest({ dimensions: 4, numberOfTrees: 20, sampleSize: 64, seed: 5 });
    stream(forest, shingled(series(500, 4), 4));
    const before = JSON.stringify(forest.toJSON());
    for (const point of shingled(series(200, 9), 4)) forest.score(point);
    forest.score([1e9, -1e9, 0, 0]);
    expect(JSON.stringify(forest.toJSON())).toBe(before);
  });

  it("round-trips through JSON: the same scores now and after further updates", () => {
    const points = shingled(series(1200, 5), 4);
    const forest = new RandomCutForest({ dimensions: 4, numberOfTrees: 30, sampleSize: 64, seed: 6 });
    stream(forest, points.slice(0, 800));
    const restored = RandomCutForest.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())) as ForestState);
    expect(restored.updates).toBe(forest.updates);
    expect(restored.toJSON()).toEqual(forest.toJSON());
    expect(stream(restored, points.slice(800))).toEqual(stream(forest, points.slice(800)));
  });

  it("is deterministic for a fixed seed and differs for another", () => {
    const points = shingled(series(600, 6), 4);
    const run = (seed: number): number[] => stream(new RandomCutForest({ dimensions: 4, numberOfTrees: 10, sampleSize: 32, seed }), points);
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it("answers 0 until outputAfter updates, then scores", () => {
    const forest = new RandomCutForest({ dimensions: 1, numberOfTrees: 5, sampleSize: 16, outputAfter: 3, seed: 1 });
    for (const value of [1, 2, 3]) {
      expect(forest.score([value])).toBe(0);
      forest.update([value]);
    }
    expect(forest.updates).toBe(3);
    expect(forest.score([4])).toBeGreaterThan(0);
    expect(new RandomCutForest({ dimensions: 1, sampleSize: 256, seed: 1 }).outputAfter).toBe(64);
  });

  it("refuses bad points with a typed error and stays unchanged", () => {
    const forest = new RandomCutForest({ dimensions: 2, numberOfTrees: 3, sampleSize: 8, seed: 1 });
    forest.update([1, 2]);
    const before = JSON.stringify(forest.toJSON());
    expect(() => forest.update([1])).toThrow(InvalidPointError);
    expect(() => forest.update([1, Number.NaN])).toThrow(InvalidPointError);
    expect(() => forest.score([1, Number.POSITIVE_INFINITY])).toThrow(InvalidPointError);
    expect(JSON.stringify(forest.toJSON())).toBe(before);
    expect(forest.updates).toBe(1);
  });

  it("refuses bad options and bad state with typed errors", () => {
    expect(() => new RandomCutForest({ dimensions: 0, seed: 1 })).toThrow(InvalidForestOptionsError);
    expect(() => new RandomCutForest({ dimensions: 1, timeDecay: -1, seed: 1 })).toThrow(InvalidForestOptionsError);
    expect(() => new RandomCutForest({ dimensions: 1, seed: 0.5 })).toThrow(InvalidForestOptionsError);
    const forest = new RandomCutForest({ dimensions: 1, numberOfTrees: 2, sampleSize: 8, seed: 1 });
    forest.update([1]);
    const state = forest.toJSON();
    expect(() => RandomCutForest.fromJSON({ ...state, version: 2 } as unknown as ForestState)).toThrow(InvalidForestStateError);
    expect(() => RandomCutForest.fromJSON({ ...state, trees: state.trees.slice(1) })).toThrow(InvalidForestStateError);
    const broken = { ...state.trees[0]!, weights: [] };
    expect(() => RandomCutForest.fromJSON({ ...state, trees: [broken, state.trees[1]!] })).toThrow(InvalidForestStateError);
  });
});

describe("trainForest", () => {
  it("samples uniformly from the points into every tree, then scores like a streamed forest", () => {
    const points = shingled(series(2000, 10), 4);
    const forest = trainForest(points, { dimensions: 4, numberOfTrees: 20, sampleSize: 64, seed: 3 });
    expect(forest.updates).toBe(points.length);
    for (const tree of forest.toJSON().trees) expect(tree.weights).toHaveLength(64);
    expect(forest.score([10, 10, 25, 10])).toBeGreaterThan(forest.score(points[100]!) + 0.5);
  });

  it("keeps every point when there are fewer than the sample size", () => {
    const forest = trainForest([[1], [2], [2], [3]], { dimensions: 1, numberOfTrees: 3, sampleSize: 16, outputAfter: 0, seed: 3 });
    for (const tree of forest.toJSON().trees) expect(tree.shape.nodes.filter((code) => code < 0).map((code) => -code)).toEqual([1, 2, 1]);
  });
});

describe("Shingle", () => {
  it("returns the last size values, oldest first, once full", () => {
    const shingle = new Shingle(3);
    expect(shingle.push(1)).toBeUndefined();
    expect(shingle.push(2)).toBeUndefined();
    expect(shingle.push(3)).toEqual([1, 2, 3]);
    expect(shingle.push(4)).toEqual([2, 3, 4]);
    expect(shingle.push(5)).toEqual([3, 4, 5]);
  });

  it("shingles vectors and refuses bad steps", () => {
    const shingle = new Shingle(2, 2);
    expect(shingle.push([1, 2])).toBeUndefined();
    expect(shingle.push([3, 4])).toEqual([1, 2, 3, 4]);
    expect(() => shingle.push(5)).toThrow(InvalidPointError);
    expect(() => shingle.push([1, Number.NaN])).toThrow(InvalidPointError);
    expect(shingle.push([5, 6])).toEqual([3, 4, 5, 6]);
  });
});
