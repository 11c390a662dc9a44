import type { Xoshiro128 } from "./random.ts";
import { normalizeScore, scoreSeen, scoreUnseen } from "./scoring.ts";

/** A tree's structure in preorder, as plain numbers (see `RandomCutTree.export`). */
export interface TreeShape {
  /** Preorder: an internal node is its cut dimension (≥ 0), a leaf is −(its mass) (< 0). */
  readonly nodes: number[];
  /** Cut values of the internal nodes, in preorder. */
  readonly cuts: number[];
  /** Leaf points, flattened, in preorder. */
  readonly points: number[];
}

const NONE = -1;
/** Scoring's scratch: the internal nodes on the way to a leaf, root first; one for all trees, so it stays in cache. */
let scratchPath = new Int32Array(256);
/** Offsets in an internal node's routing record. */
const CUT_DIM = 0;
const CUT = 1;
const LEFT = 2;
const RIGHT = 3;
const ROUTE = 4;

/**
 * One random cut tree over at most `capacity` distinct points, in typed arrays (no object per
 * node). Internal nodes are ids 0 … capacity−1, leaves capacity … 2·capacity−1. Routing is a chain
 * of dependent loads, so each internal node's routing (cut dimension, cut value, children) is one
 * 16-byte record in a small array of its own (a whole forest's routing stays in a core's cache),
 * and its cached box lives apart, read only on the way back up. Insert grows the boxes on the way
 * down, delete shrinks them on the way up. Insert and delete follow random-cut-forest-by-aws: a cut
 * is drawn over the box grown to hold the new point, the dimension chosen in proportion to its side
 * length. Points, cuts and boxes are float32, as random-cut-forest-by-aws stores points (half the
 * memory); node ids are exact in float32 up to 2^24.
 */
export class RandomCutTree {
  readonly dimensions: number;
  readonly capacity: number;
  private root = NONE;
  /** Per internal node, one 16-byte record: cut dimension, cut value, left, right (`routes` reads the cut, `links` the rest). */
  private readonly routes: Float32Array;
  private readonly links: Int32Array;
  /** Per internal node: its box's low corner, then its high corner. */
  private readonly boxes: Float32Array;
  private readonly boxStride: number;
  private readonly parent: Int32Array;
  /**
   * Leaves' masses (copies of their point). Internal nodes' masses, which random-cut-forest-by-aws
   * keeps for other visitors, are not kept: the anomaly score reads only the leaf's and the tree's.
   */
  private readonly mass: Int32Array;
  private readonly leafPoint: Float32Array;
  private readonly freeInternal: Int32Array;
  private freeInternalCount: number;
  private readonly freeLeaves: Int32Array;
  private freeLeafCount: number;
  /** Points held, duplicates counted (the root's mass). */
  private total = 0;
  /** log2(total + 1), the score's normalizer, for the total it was computed at. */
  private normalizer = 0;
  private normalizerTotal = -1;
  private leafOfNewest = NONE;

  constructor(dimensions: number, capacity: number) {
    this.dimensions = dimensions;
    this.capacity = capacity;
    this.routes = new Float32Array(capacity * ROUTE);
    this.links = new Int32Array(this.routes.buffer);
    this.boxStride = 2 * dimensions;
    this.boxes = new Float32Array(capacity * this.boxStride);
    this.parent = new Int32Array(2 * capacity).fill(NONE);
    this.mass = new Int32Array(2 * capacity);
    this.leafPoint = new Float32Array(capacity * dimensions);
    this.freeInternal = new Int32Array(capacity);
    this.freeLeaves = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) {
      this.freeInternal[i] = capacity - 1 - i;
      this.freeLeaves[i] = 2 * capacity - 1 - i;
    }
    this.freeInternalCount = capacity;
    this.freeLeafCount = capacity;
  }

  /** Points held, duplicates counted. */
  get totalMass(): number {
    return this.total;
  }

  /** Adds `point` (a leaf's mass grows if it is there already); returns the id of its leaf. */
  insert(point: ArrayLike<number>, random: Xoshiro128): number {
    this.total += 1;
    if (this.root === NONE) {
      this.root = this.newLeaf(point, NONE);
      return this.root;
    }
    const dims = this.dimensions;
    const cap = this.capacity;
    const mass = this.mass;
    let node = this.root;
    for (;;) {
      const isLeaf = node >= cap;
      if (isLeaf && this.equalsLeaf(node, point)) {
        mass[node]! += 1;
        return node;
      }
      // The node's box: a leaf's is its point.
      const boxes = isLeaf ? this.leafPoint : this.boxes;
      const lo = isLeaf ? (node - cap) * dims : node * this.boxStride;
      const hi = isLeaf ? lo : lo + dims;
      // Draw the cut over the box grown to hold the point: a dimension in proportion to its side.
      let range = 0;
      let outside = 0;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        const a = boxes[lo + i]!;
        const b = boxes[hi + i]!;
        if (v < a) outside += a - v;
        else if (v > b) outside += v - b;
        range += b - a;
      }
      // A point inside an internal node's box cannot be separated there, nor does it grow the box.
      if (outside === 0 && !isLeaf) {
        node = this.child(node, point);
        continue;
      }
      range += outside;
      let r = random.nextOpen() * range;
      let dim = -1;
      let low = 0;
      let high = 0;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        const a = boxes[lo + i]!;
        const b = boxes[hi + i]!;
        const l = a < v ? a : v;
        const h = b > v ? b : v;
        if (h <= l) continue;
        dim = i;
        low = l;
        high = h;
        if (r < h - l) break;
        r -= h - l;
      }
      // Stored as float32, as random-cut-forest-by-aws stores points. Rounding never takes the cut
      // below the near edge; one rounded onto the far edge (which would cut nothing off) moves to the near one.
      let cut = Math.fround(low + r);
      if (cut >= high) cut = low;
      if (cut < boxes[lo + dim]! || cut >= boxes[hi + dim]!) {
        this.separate(node, point, dim, cut);
        return this.leafOfNewest;
      }
      // The cut falls inside the node's box: the point belongs below this (internal) node.
      this.descendInto(node, point);
      node = this.child(node, point);
    }
  }

  /** Grows internal node `node`'s box to hold `point` on its way down. */
  private descendInto(node: number, point: ArrayLike<number>): void {
    const dims = this.dimensions;
    const nodes = this.boxes;
    const lo = node * this.boxStride;
    const hi = lo + dims;
    for (let i = 0; i < dims; i++) {
      const v = point[i]!;
      if (v < nodes[lo + i]!) nodes[lo + i] = v;
      if (v > nodes[hi + i]!) nodes[hi + i] = v;
    }
  }

  /** A new internal node cutting `dim` at `cut`, above `node`, with a new leaf for `point` beside it. */
  private separate(node: number, point: ArrayLike<number>, dim: number, cut: number): void {
    const dims = this.dimensions;
    const cap = this.capacity;
    const routes = this.routes;
    const links = this.links;
    const above = this.parent[node]!;
    const inner = this.freeInternal[--this.freeInternalCount]!;
    const leaf = this.newLeaf(point, inner);
    const o = inner * ROUTE;
    links[o + CUT_DIM] = dim;
    routes[o + CUT] = cut;
    links[o + LEFT] = point[dim]! <= cut ? leaf : node;
    links[o + RIGHT] = point[dim]! <= cut ? node : leaf;
    const isLeaf = node >= cap;
    const boxes = isLeaf ? this.leafPoint : this.boxes;
    const lo = isLeaf ? (node - cap) * dims : node * this.boxStride;
    const hi = isLeaf ? lo : lo + dims;
    const b = inner * this.boxStride;
    for (let i = 0; i < dims; i++) {
      this.boxes[b + i] = Math.min(boxes[lo + i]!, point[i]!);
      this.boxes[b + dims + i] = Math.max(boxes[hi + i]!, point[i]!);
    }
    this.parent[inner] = above;
    this.parent[node] = inner;
    this.replaceChild(above, node, inner);
    this.leafOfNewest = leaf;
  }

  /** Removes one copy of the leaf's point; at mass zero the leaf's sibling takes its parent's place. */
  delete(leaf: number): void {
    this.total -= 1;
    this.mass[leaf]! -= 1;
    if (this.mass[leaf]! > 0) return;
    const inner = this.parent[leaf]!;
    this.freeLeaves[this.freeLeafCount++] = leaf;
    this.parent[leaf] = NONE;
    if (inner === NONE) {
      this.root = NONE;
      return;
    }
    const o = inner * ROUTE;
    const sibling = this.links[o + LEFT] === leaf ? this.links[o + RIGHT]! : this.links[o + LEFT]!;
    const above = this.parent[inner]!;
    this.parent[sibling] = above;
    this.replaceChild(above, inner, sibling);
    this.freeInternal[this.freeInternalCount++] = inner;
    this.parent[inner] = NONE;
    // Boxes above may shrink; stop where one does not change.
    for (let n = above; n !== NONE; n = this.parent[n]!) if (!this.boxFromChildren(n)) return;
  }

  /** Sets an internal node's box to the union of its children's; says whether it changed. */
  private boxFromChildren(n: number): boolean {
    const dims = this.dimensions;
    const cap = this.capacity;
    const nodes = this.boxes;
    const o = n * this.boxStride;
    const l = this.links[n * ROUTE + LEFT]!;
    const r = this.links[n * ROUTE + RIGHT]!;
    const lBoxes = l >= cap ? this.leafPoint : nodes;
    const lLo = l >= cap ? (l - cap) * dims : l * this.boxStride;
    const lHi = l >= cap ? lLo : lLo + dims;
    const rBoxes = r >= cap ? this.leafPoint : nodes;
    const rLo = r >= cap ? (r - cap) * dims : r * this.boxStride;
    const rHi = r >= cap ? rLo : rLo + dims;
    let changed = false;
    for (let i = 0; i < dims; i++) {
      const a = lBoxes[lLo + i]!;
      const b = rBoxes[rLo + i]!;
      const low = a < b ? a : b;
      const c = lBoxes[lHi + i]!;
      const d = rBoxes[rHi + i]!;
      const high = c > d ? c : d;
      if (low !== nodes[o + i] || high !== nodes[o + dims + i]) changed = true;
      nodes[o + i] = low;
      nodes[o + dims + i] = high;
    }
    return changed;
  }

  /**
   * The anomaly score of `q` (random-cut-forest-by-aws's AnomalyScoreVisitor): route to a leaf;
   * a seen point scores by its depth and mass, an unseen one is isolated at the leaf's depth and
   * each ancestor whose box does not hold it mixes in the chance a cut there would have isolated it.
   */
  score(q: ArrayLike<number>): number {
    if (this.root === NONE) return 0;
    if (scratchPath.length < this.capacity) scratchPath = new Int32Array(2 * this.capacity);
    const path = scratchPath;
    let depth = 0;
    let node = this.root;
    while (node < this.capacity) {
      path[depth++] = node;
      node = this.child(node, q);
    }
    return this.scoreFromLeaf(q, node, depth, path, 0);
  }

  /**
   * `a.score(q) + b.score(q)`, added in that order onto `sum` (the same sum as scoring one by one).
   * The two routings run in lockstep: each is a chain of dependent steps (load, compare, load), and
   * interleaving two independent chains lets the core work on both at once.
   */
  static addScoresOfTwo(sum: number, a: RandomCutTree, b: RandomCutTree, q: ArrayLike<number>): number {
    if (a.root === NONE || b.root === NONE || a.capacity !== b.capacity) return sum + a.score(q) + b.score(q);
    const cap = a.capacity;
    if (scratchPath.length < 2 * cap) scratchPath = new Int32Array(2 * cap);
    // One scratch for both paths (no subarray to allocate): a's from 0, b's from `cap`.
    const path = scratchPath;
    let nodeA = a.root;
    let nodeB = b.root;
    let depthA = 0;
    let depthB = 0;
    while (nodeA < cap && nodeB < cap) {
      path[depthA++] = nodeA;
      nodeA = a.child(nodeA, q);
      path[cap + depthB++] = nodeB;
      nodeB = b.child(nodeB, q);
    }
    while (nodeA < cap) {
      path[depthA++] = nodeA;
      nodeA = a.child(nodeA, q);
    }
    while (nodeB < cap) {
      path[cap + depthB++] = nodeB;
      nodeB = b.child(nodeB, q);
    }
    return sum + a.scoreFromLeaf(q, nodeA, depthA, path, 0) + b.scoreFromLeaf(q, nodeB, depthB, path, cap);
  }

  /**
   * The child of internal node `node` on `q`'s side of its cut (≤ goes left). The side indexes the
   * record instead of choosing by a branch: which side a query takes is data-dependent.
   */
  private child(node: number, q: ArrayLike<number>): number {
    const links = this.links;
    const o = node * ROUTE;
    return links[o + LEFT + +(q[links[o + CUT_DIM]!]! > this.routes[o + CUT]!)]!;
  }

  /** Scores `q` routed to `leaf` at `depth`, with the internal nodes on its way in `path` from `base`. */
  private scoreFromLeaf(q: ArrayLike<number>, leaf: number, depth: number, path: Int32Array, base: number): number {
    const dims = this.dimensions;
    const stride = this.boxStride;
    const nodes = this.boxes;
    const treeMass = this.total;
    if (this.equalsLeaf(leaf, q)) return normalizeScore(scoreSeen(depth, this.mass[leaf]!, treeMass), treeMass);
    let score = scoreUnseen(depth);
    for (let k = depth - 1; k >= 0; k--) {
      const lo = path[base + k]! * stride;
      const hi = lo + dims;
      let outside = 0;
      let range = 0;
      for (let i = 0; i < dims; i++) {
        const low = nodes[lo + i]!;
        const high = nodes[hi + i]!;
        const value = q[i]!;
        // Branch-free: which side a value falls is data-dependent and mispredicts.
        outside += Math.max(low - value, 0) + Math.max(value - high, 0);
        range += high - low;
      }
      if (outside === 0) break;
      const p = outside / (outside + range);
      score = p / (k + 1) + (1 - p) * score;
    }
    if (this.normalizerTotal !== treeMass) {
      this.normalizer = normalizeScore(1, treeMass);
      this.normalizerTotal = treeMass;
    }
    return score * this.normalizer;
  }

  /** The structure in preorder, and each leaf id's preorder index among the leaves. */
  export(): { shape: TreeShape; leafOrder: Map<number, number> } {
    const nodes: number[] = [];
    const cuts: number[] = [];
    const points: number[] = [];
    const leafOrder = new Map<number, number>();
    if (this.root === NONE) return { shape: { nodes, cuts, points }, leafOrder };
    const stack = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node >= this.capacity) {
        nodes.push(-this.mass[node]!);
        leafOrder.set(node, leafOrder.size);
        const base = (node - this.capacity) * this.dimensions;
        for (let i = 0; i < this.dimensions; i++) points.push(this.leafPoint[base + i]!);
      } else {
        const o = node * ROUTE;
        nodes.push(this.links[o + CUT_DIM]!);
        cuts.push(this.routes[o + CUT]!);
        stack.push(this.links[o + RIGHT]!, this.links[o + LEFT]!);
      }
    }
    return { shape: { nodes, cuts, points }, leafOrder };
  }

  /** Rebuilds an exported structure into this (empty) tree; returns the leaf ids in preorder. */
  import(shape: TreeShape): number[] {
    const leaves: number[] = [];
    let nodeAt = 0;
    let cutAt = 0;
    const build = (above: number): number => {
      const code = shape.nodes[nodeAt++]!;
      if (code < 0) {
        const leaf = this.newLeaf(shape.points.slice(leaves.length * this.dimensions, (leaves.length + 1) * this.dimensions), above);
        this.mass[leaf] = -code;
        leaves.push(leaf);
        return leaf;
      }
      const inner = this.freeInternal[--this.freeInternalCount]!;
      const o = inner * ROUTE;
      this.parent[inner] = above;
      this.links[o + CUT_DIM] = code;
      this.routes[o + CUT] = shape.cuts[cutAt++]!;
      const left = build(inner);
      const right = build(inner);
      this.links[o + LEFT] = left;
      this.links[o + RIGHT] = right;
      this.boxFromChildren(inner);
      return inner;
    };
    if (shape.nodes.length > 0) this.root = build(NONE);
    this.total = leaves.reduce((sum, leaf) => sum + this.mass[leaf]!, 0);
    return leaves;
  }

  private newLeaf(point: ArrayLike<number>, above: number): number {
    const leaf = this.freeLeaves[--this.freeLeafCount]!;
    const base = (leaf - this.capacity) * this.dimensions;
    for (let i = 0; i < this.dimensions; i++) this.leafPoint[base + i] = point[i]!;
    this.mass[leaf] = 1;
    this.parent[leaf] = above;
    return leaf;
  }

  private equalsLeaf(leaf: number, point: ArrayLike<number>): boolean {
    const base = (leaf - this.capacity) * this.dimensions;
    for (let i = 0; i < this.dimensions; i++) if (this.leafPoint[base + i] !== point[i]) return false;
    return true;
  }

  private replaceChild(above: number, from: number, to: number): void {
    if (above === NONE) {
      this.root = to;
      return;
    }
    const o = above * ROUTE;
    if (this.links[o + LEFT] === from) this.links[o + LEFT] = to;
    else this.links[o + RIGHT] = to;
  }
}
