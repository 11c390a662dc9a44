import { InvalidForestOptionsError, InvalidForestStateError, InvalidPointError } from "./errors.ts";
import { Xoshiro128 } from "./random.ts";
import { Sampler } from "./sampler.ts";
import { RandomCutTree, type TreeShape } from "./tree.ts";

export interface ForestOptions {
  /** Length of each point given to score/update (already shingled). */
  readonly dimensions: number;
  /** Default 100. */
  readonly numberOfTrees?: number;
  /** Points each tree keeps; default 256. */
  readonly sampleSize?: number;
  /** λ of the samplers' weights; default 1 / (10 · sampleSize). */
  readonly timeDecay?: number;
  /** score() is 0 until this many updates; default sampleSize / 4. */
  readonly outputAfter?: number;
  readonly seed: number;
}

/** One tree's state: its structure, its sampler's heap and its random generator. */
export interface TreeState {
  readonly shape: TreeShape;
  /** Sampler heap, in heap order: weights and the preorder index of each entry's leaf. */
  readonly weights: number[];
  readonly samples: number[];
  readonly random: [number, number, number, number];
}

/** A forest as plain JSON; `RandomCutForest.fromJSON` restores it exactly (same future scores). */
export type ForestState = {
  readonly version: 1;
  readonly dimensions: number;
  readonly numberOfTrees: number;
  readonly sampleSize: number;
  readonly timeDecay: number;
  readonly outputAfter: number;
  readonly seed: number;
  readonly updates: number;
  readonly trees: TreeState[];
};

type Settings = Required<ForestOptions>;

/**
 * Random Cut Forest for streams, as AWS's random-cut-forest-by-aws: each tree keeps a time-decayed
 * sample of the points and scores a query by how easily random cuts isolate it; the forest's score
 * is the trees' mean, about 1 for normal points and higher for anomalies. Streaming use is score
 * then update, point by point.
 */
export class RandomCutForest {
  readonly dimensions: number;
  readonly numberOfTrees: number;
  readonly sampleSize: number;
  readonly timeDecay: number;
  readonly outputAfter: number;
  readonly seed: number;
  private count = 0;
  private readonly trees: RandomCutTree[];
  private readonly samplers: Sampler[];
  private readonly randoms: Xoshiro128[];
  /** Scratch copy of the point being scored or added, so the hot loops read one array type. */
  private readonly point: Float32Array;

  constructor(options: ForestOptions) {
    const settings = resolveOptions(options);
    this.dimensions = settings.dimensions;
    this.numberOfTrees = settings.numberOfTrees;
    this.sampleSize = settings.sampleSize;
    this.timeDecay = settings.timeDecay;
    this.outputAfter = settings.outputAfter;
    this.seed = settings.seed;
    const seeds = Xoshiro128.fromSeed(settings.seed);
    this.trees = [];
    this.samplers = [];
    this.randoms = [];
    for (let t = 0; t < this.numberOfTrees; t++) {
      this.trees.push(new RandomCutTree(this.dimensions, this.sampleSize));
      this.samplers.push(new Sampler(this.sampleSize, this.timeDecay));
      this.randoms.push(new Xoshiro128([seeds.nextUint32(), seeds.nextUint32(), seeds.nextUint32(), seeds.nextUint32()]));
    }
    this.point = new Float32Array(this.dimensions);
  }

  /** Points given to `update` so far. */
  get updates(): number {
    return this.count;
  }

  /** The anomaly score of `point`; 0 until `outputAfter` updates. Never changes the forest. */
  score(point: ArrayLike<number>): number {
    const q = this.take(point);
    if (this.count < this.outputAfter) return 0;
    const trees = this.trees;
    let sum = 0;
    let t = 0;
    for (; t + 1 < trees.length; t += 2) sum = RandomCutTree.addScoresOfTwo(sum, trees[t]!, trees[t + 1]!, q);
    if (t < trees.length) sum += trees[t]!.score(q);
    return sum / this.numberOfTrees;
  }

  /** Offers `point` to every tree's sampler; trees that take it evict their sampler's choice first. */
  update(point: ArrayLike<number>): void {
    const p = this.take(point);
    const sequenceIndex = this.count;
    for (let t = 0; t < this.numberOfTrees; t++) {
      const sampler = this.samplers[t]!;
      const weight = sampler.offer(sequenceIndex, this.randoms[t]!.nextOpen());
      if (Number.isNaN(weight)) continue;
      this.addToTree(t, p, weight);
    }
    this.count += 1;
  }

  /** Puts a point the sampler accepted with `weight` into tree `t`. */
  private addToTree(t: number, point: Float32Array, weight: number): void {
    const sampler = this.samplers[t]!;
    const tree = this.trees[t]!;
    if (sampler.isFull) tree.delete(sampler.evictee);
    sampler.add(weight, tree.insert(point, this.randoms[t]!));
  }

  /**
   * Batch training as SageMaker's built-in RCF: each tree takes a uniform sample (without
   * replacement) of `points` — the sampler with no time decay — and then holds it.
   */
  static train(points: readonly ArrayLike<number>[], options: ForestOptions): RandomCutForest {
    const forest = new RandomCutForest(options);
    const rows = points.map((point) => Float32Array.from(forest.take(point)));
    for (let t = 0; t < forest.numberOfTrees; t++) {
      const choice = new Sampler(forest.sampleSize);
      const random = forest.randoms[t]!;
      for (let i = 0; i < rows.length; i++) {
        const weight = Sampler.weight(0, i, random.nextOpen());
        if (choice.accepts(weight)) choice.add(weight, i);
      }
      const order = Array.from(choice.refs.subarray(0, choice.size).keys()).sort((a, b) => choice.refs[a]! - choice.refs[b]!);
      for (const entry of order) forest.addToTree(t, rows[choice.refs[entry]!]!, choice.weights[entry]!);
    }
    forest.count = rows.length;
    return forest;
  }

  toJSON(): ForestState {
    const trees = this.trees.map((tree, t): TreeState => {
      const { shape, leafOrder } = tree.export();
      const sampler = this.samplers[t]!;
      const weights = Array.from(sampler.weights.subarray(0, sampler.size));
      const samples = Array.from(sampler.refs.subarray(0, sampler.size), (leaf) => leafOrder.get(leaf)!);
      return { shape, weights, samples, random: this.randoms[t]!.state() };
    });
    return {
      version: 1,
      dimensions: this.dimensions,
      numberOfTrees: this.numberOfTrees,
      sampleSize: this.sampleSize,
      timeDecay: this.timeDecay,
      outputAfter: this.outputAfter,
      seed: this.seed,
      updates: this.count,
      trees,
    };
  }

  static fromJSON(state: ForestState): RandomCutForest {
    if (state === null || typeof state !== "object" || state.version !== 1) {
      throw new InvalidForestStateError(`forest state version ${String((state as { version?: unknown } | null)?.version)} is not 1`);
    }
    let forest: RandomCutForest;
    try {
      forest = new RandomCutForest(state);
    } catch (error) {
      throw new InvalidForestStateError(`forest state has invalid options: ${(error as Error).message}`, { cause: error });
    }
    if (!Number.isSafeInteger(state.updates) || state.updates < 0) throw new InvalidForestStateError(`forest state updates ${state.updates} is not a count`);
    if (!Array.isArray(state.trees) || state.trees.length !== forest.numberOfTrees) {
      throw new InvalidForestStateError(`forest state has ${state.trees?.length} trees, not ${forest.numberOfTrees}`);
    }
    state.trees.forEach((tree, t) => forest.restoreTree(t, tree));
    forest.count = state.updates;
    return forest;
  }

  private restoreTree(t: number, state: TreeState): void {
    const leafCount = checkTreeState(state, this.dimensions, this.sampleSize, t);
    const leaves = this.trees[t]!.import(state.shape);
    if (leaves.length !== leafCount) throw new InvalidForestStateError(`tree ${t}'s shape is malformed`);
    const sampler = this.samplers[t]!;
    state.weights.forEach((weight, i) => {
      sampler.weights[i] = weight;
      sampler.refs[i] = leaves[state.samples[i]!]!;
    });
    sampler.size = state.weights.length;
    this.randoms[t] = new Xoshiro128(state.random);
  }

  /**
   * Copies a point into the scratch array, rounded to float32 as the trees hold it, after checking
   * its length and values (all checked before any is copied).
   */
  private take(point: ArrayLike<number>): Float32Array {
    if (point.length !== this.dimensions) throw new InvalidPointError(`a point has ${this.dimensions} dimension(s), not ${point.length}`);
    for (let i = 0; i < this.dimensions; i++) {
      const value = point[i]!;
      if (!Number.isFinite(Math.fround(value))) throw new InvalidPointError(`point value ${i} is not a finite float32 number: ${value}`);
    }
    for (let i = 0; i < this.dimensions; i++) this.point[i] = point[i]!;
    return this.point;
  }
}

/** Batch training as SageMaker's built-in RCF: each tree samples uniformly from `points`. */
export function trainForest(points: readonly ArrayLike<number>[], options: ForestOptions): RandomCutForest {
  return RandomCutForest.train(points, options);
}

function resolveOptions(options: ForestOptions): Settings {
  const sampleSize = options.sampleSize ?? 256;
  const settings: Settings = {
    dimensions: options.dimensions,
    numberOfTrees: options.numberOfTrees ?? 100,
    sampleSize,
    timeDecay: options.timeDecay ?? 1 / (10 * sampleSize),
    outputAfter: options.outputAfter ?? Math.floor(sampleSize / 4),
    seed: options.seed,
  };
  const positive = ["dimensions", "numberOfTrees", "sampleSize"] as const;
  for (const key of positive) {
    if (!Number.isSafeInteger(settings[key]) || settings[key] < 1) throw new InvalidForestOptionsError(`${key} must be a positive integer, not ${settings[key]}`);
  }
  if (!Number.isFinite(settings.timeDecay) || settings.timeDecay < 0) throw new InvalidForestOptionsError(`timeDecay must be a finite number ≥ 0, not ${settings.timeDecay}`);
  if (!Number.isSafeInteger(settings.outputAfter) || settings.outputAfter < 0) throw new InvalidForestOptionsError(`outputAfter must be an integer ≥ 0, not ${settings.outputAfter}`);
  if (!Number.isSafeInteger(settings.seed)) throw new InvalidForestOptionsError(`seed must be an integer, not ${settings.seed}`);
  return settings;
}

/** Checks a tree's state is self-consistent before rebuilding it; returns its leaf count. */
function checkTreeState(state: TreeState, dimensions: number, sampleSize: number, t: number): number {
  const bad = (why: string): never => {
    throw new InvalidForestStateError(`tree ${t}: ${why}`);
  };
  if (state === null || typeof state !== "object" || !state.shape) bad("not an object with a shape");
  const { nodes, cuts, points } = state.shape;
  if (![nodes, cuts, points, state.weights, state.samples, state.random].every(Array.isArray)) bad("missing arrays");
  if (![...nodes, ...cuts, ...points, ...state.weights, ...state.samples, ...state.random].every(Number.isFinite)) bad("a value is not a finite number");
  const leafCount = nodes.filter((code) => code < 0).length;
  const internal = nodes.length - leafCount;
  if (nodes.some((code) => !Number.isInteger(code) || code >= dimensions)) bad("a node code is not a leaf mass or a dimension");
  if (leafCount > sampleSize || (nodes.length > 0 && internal !== leafCount - 1)) bad("the shape is not a binary tree within the sample size");
  if (cuts.length !== internal || points.length !== leafCount * dimensions) bad("cuts or points do not match the shape");
  const mass = nodes.reduce((sum, code) => (code < 0 ? sum - code : sum), 0);
  if (state.weights.length !== state.samples.length || state.weights.length !== mass) bad("the sampler does not hold the tree's points");
  if (state.samples.some((leaf) => !Number.isInteger(leaf) || leaf < 0 || leaf >= leafCount)) bad("a sample names no leaf");
  if (state.random.length !== 4) bad("the random state is not four words");
  return leafCount;
}
