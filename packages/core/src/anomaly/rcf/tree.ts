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
/** Offsets in an internal node's record; its box's low corner follows, then its high corner. */
const CUT_DIM = 0;
const CUT = 1;
const LEFT = 2;
const RIGHT = 3;
const LO = 4;

/**
 * One random cut tree over at most `capacity` distinct points, in typed arrays (no object per
 * node). Internal nodes are ids 0 … capacity−1, leaves capacity … 2·capacity−1. An internal node is
 * one record [cut dimension, cut value, left, right, box low…, box high…] in one Float64Array, so
 * scoring, which reads the cut on the way down and the box on the way up, touches one or two cache
 * lines per level (separate arrays per field measured slower: a miss per field). Insert grows the
 * cached boxes on the way down, delete shrinks them on the way up. Insert and delete follow
 * random-cut-forest-by-aws: a cut is drawn over the box grown to hold the new point, the dimension
 * chosen in proportion to its side length.
 */
export class RandomCutTree {
  readonly dimensions: number;
  readonly capacity: number;
  private root = NONE;
  private readonly stride: number;
  private readonly nodes: Float64Array;
  private readonly parent: Int32Array;
  private readonly mass: Int32Array;
  private readonly leafPoint: Float64Array;
  private readonly freeInternal: Int32Array;
  private freeInternalCount: number;
  private readonly freeLeaves: Int32Array;
  private freeLeafCount: number;
  /** Scratch: the internal nodes on the path to a leaf, root first. */
  private readonly path: Int32Array;
  private leafOfNewest = NONE;

  constructor(dimensions: number, capacity: number) {
    this.dimensions = dimensions;
    this.capacity = capacity;
    this.stride = LO + 2 * dimensions;
    this.nodes = new Float64Array(capacity * this.stride);
    this.parent = new Int32Array(2 * capacity).fill(NONE);
    this.mass = new Int32Array(2 * capacity);
    this.leafPoint = new Float64Array(capacity * dimensions);
    this.freeInternal = new Int32Array(capacity);
    this.freeLeaves = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) {
      this.freeInternal[i] = capacity - 1 - i;
      this.freeLeaves[i] = 2 * capacity - 1 - i;
    }
    this.freeInternalCount = capacity;
    this.freeLeafCount = capacity;
    this.path = new Int32Array(capacity);
  }

  /** Points held, duplicates counted. */
  get totalMass(): number {
    return this.root === NONE ? 0 : this.mass[this.root]!;
  }

  /** Adds `point` (a leaf's mass grows if it is there already); returns the id of its leaf. */
  insert(point: ArrayLike<number>, random: Xoshiro128): number {
    if (this.root === NONE) {
      this.root = this.newLeaf(point, NONE);
      return this.root;
    }
    const dims = this.dimensions;
    const cap = this.capacity;
    const nodes = this.nodes;
    const mass = this.mass;
    let node = this.root;
    for (;;) {
      const isLeaf = node >= cap;
      if (isLeaf && this.equalsLeaf(node, point)) {
        mass[node]! += 1;
        return node;
      }
      // The node's box: a leaf's is its point.
      const boxes = isLeaf ? this.leafPoint : nodes;
      const lo = isLeaf ? (node - cap) * dims : node * this.stride + LO;
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
      // A point inside an internal node's box cannot be separated there: no cut to draw.
      if (outside === 0 && !isLeaf) {
        this.descendInto(node, point);
        node = this.child(node, point);
        continue;
      }
      range += outside;
      let r = random.nextOpen() * range;
      let dim = -1;
      let low = 0;
      let gap = 0;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        const a = boxes[lo + i]!;
        const b = boxes[hi + i]!;
        const l = a < v ? a : v;
        const g = (b > v ? b : v) - l;
        if (g <= 0) continue;
        dim = i;
        low = l;
        gap = g;
        if (r < g) break;
        r -= g;
      }
      let cut = low + (r < gap ? r : gap);
      if (cut >= low + gap) cut = low; // rounding put the cut on the far edge
      if (cut < boxes[lo + dim]! || cut >= boxes[hi + dim]!) {
        this.separate(node, point, dim, cut);
        return this.leafOfNewest;
      }
      // The cut falls inside the node's box: the point belongs below this (internal) node.
      this.descendInto(node, point);
      node = this.child(node, point);
    }
  }

  /** Counts `point` into internal node `node`'s mass and box on its way down. */
  private descendInto(node: number, point: ArrayLike<number>): void {
    const dims = this.dimensions;
    const nodes = this.nodes;
    const lo = node * this.stride + LO;
    const hi = lo + dims;
    this.mass[node]! += 1;
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
    const nodes = this.nodes;
    const above = this.parent[node]!;
    const inner = this.freeInternal[--this.freeInternalCount]!;
    const leaf = this.newLeaf(point, inner);
    const o = inner * this.stride;
    nodes[o + CUT_DIM] = dim;
    nodes[o + CUT] = cut;
    nodes[o + LEFT] = point[dim]! <= cut ? leaf : node;
    nodes[o + RIGHT] = point[dim]! <= cut ? node : leaf;
    this.mass[inner] = this.mass[node]! + 1;
    const isLeaf = node >= cap;
    const boxes = isLeaf ? this.leafPoint : nodes;
    const lo = isLeaf ? (node - cap) * dims : node * this.stride + LO;
    const hi = isLeaf ? lo : lo + dims;
    for (let i = 0; i < dims; i++) {
      nodes[o + LO + i] = Math.min(boxes[lo + i]!, point[i]!);
      nodes[o + LO + dims + i] = Math.max(boxes[hi + i]!, point[i]!);
    }
    this.parent[inner] = above;
    this.parent[node] = inner;
    this.replaceChild(above, node, inner);
    this.leafOfNewest = leaf;
  }

  /** Removes one copy of the leaf's point; at mass zero the leaf's sibling takes its parent's place. */
  delete(leaf: number): void {
    for (let n = leaf; n !== NONE; n = this.parent[n]!) this.mass[n]! -= 1;
    if (this.mass[leaf]! > 0) return;
    const inner = this.parent[leaf]!;
    this.freeLeaves[this.freeLeafCount++] = leaf;
    this.parent[leaf] = NONE;
    if (inner === NONE) {
      this.root = NONE;
      return;
    }
    const o = inner * this.stride;
    const sibling = this.nodes[o + LEFT] === leaf ? this.nodes[o + RIGHT]! : this.nodes[o + LEFT]!;
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
    const nodes = this.nodes;
    const o = n * this.stride;
    const l = nodes[o + LEFT]!;
    const r = nodes[o + RIGHT]!;
    const lBoxes = l >= cap ? this.leafPoint : nodes;
    const lLo = l >= cap ? (l - cap) * dims : l * this.stride + LO;
    const lHi = l >= cap ? lLo : lLo + dims;
    const rBoxes = r >= cap ? this.leafPoint : nodes;
    const rLo = r >= cap ? (r - cap) * dims : r * this.stride + LO;
    const rHi = r >= cap ? rLo : rLo + dims;
    let changed = false;
    for (let i = 0; i < dims; i++) {
      const a = lBoxes[lLo + i]!;
      const b = rBoxes[rLo + i]!;
      const low = a < b ? a : b;
      const c = lBoxes[lHi + i]!;
      const d = rBoxes[rHi + i]!;
      const high = c > d ? c : d;
      if (low !== nodes[o + LO + i] || high !== nodes[o + LO + dims + i]) changed = true;
      nodes[o + LO + i] = low;
      nodes[o + LO + dims + i] = high;
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
    let depth = 0;
    let node = this.root;
    while (node < this.capacity) {
      this.path[depth++] = node;
      node = this.child(node, q);
    }
    return this.scoreFromLeaf(q, node, depth);
  }

  /** The child of internal node `node` on `q`'s side of its cut. */
  private child(node: number, q: ArrayLike<number>): number {
    const nodes = this.nodes;
    const o = node * this.stride;
    return (q[nodes[o + CUT_DIM]! | 0]! <= nodes[o + CUT]! ? nodes[o + LEFT]! : nodes[o + RIGHT]!) | 0;
  }

  /** Scores `q` routed to `leaf` at `depth`, with the internal nodes on its way in `path`. */
  private scoreFromLeaf(q: ArrayLike<number>, leaf: number, depth: number): number {
    const dims = this.dimensions;
    const stride = this.stride;
    const nodes = this.nodes;
    const path = this.path;
    const treeMass = this.mass[this.root]!;
    if (this.equalsLeaf(leaf, q)) return normalizeScore(scoreSeen(depth, this.mass[leaf]!, treeMass), treeMass);
    let score = scoreUnseen(depth);
    for (let k = depth - 1; k >= 0; k--) {
      const lo = path[k]! * stride + LO;
      const hi = lo + dims;
      let outside = 0;
      let range = 0;
      for (let i = 0; i < dims; i++) {
        const low = nodes[lo + i]!;
        const high = nodes[hi + i]!;
        const value = q[i]!;
        if (value < low) outside += low - value;
        else if (value > high) outside += value - high;
        range += high - low;
      }
      if (outside === 0) break;
      const p = outside / (outside + range);
      score = p / (k + 1) + (1 - p) * score;
    }
    return normalizeScore(score, treeMass);
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
        const o = node * this.stride;
        nodes.push(this.nodes[o + CUT_DIM]!);
        cuts.push(this.nodes[o + CUT]!);
        stack.push(this.nodes[o + RIGHT]!, this.nodes[o + LEFT]!);
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
      const o = inner * this.stride;
      this.parent[inner] = above;
      this.nodes[o + CUT_DIM] = code;
      this.nodes[o + CUT] = shape.cuts[cutAt++]!;
      const left = build(inner);
      const right = build(inner);
      this.nodes[o + LEFT] = left;
      this.nodes[o + RIGHT] = right;
      this.mass[inner] = this.mass[left]! + this.mass[right]!;
      this.boxFromChildren(inner);
      return inner;
    };
    if (shape.nodes.length > 0) this.root = build(NONE);
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
    const o = above * this.stride;
    if (this.nodes[o + LEFT] === from) this.nodes[o + LEFT] = to;
    else this.nodes[o + RIGHT] = to;
  }
}
