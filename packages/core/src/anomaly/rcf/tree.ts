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

/**
 * One random cut tree over at most `capacity` distinct points, in typed arrays (no object per
 * node). Internal nodes are ids 0 … capacity−1 and leaves capacity … 2·capacity−1; each internal
 * node caches its bounding box, which insert grows on the way down and delete shrinks on the way up.
 * Insert and delete follow random-cut-forest-by-aws: a cut is drawn over the box grown to hold the
 * new point, with the dimension chosen in proportion to its side length.
 */
export class RandomCutTree {
  readonly dimensions: number;
  readonly capacity: number;
  private root = NONE;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly cutDim: Int32Array;
  private readonly cutValue: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly parent: Int32Array;
  private readonly mass: Int32Array;
  private readonly leafPoint: Float64Array;
  private readonly freeInternal: Int32Array;
  private freeInternalCount: number;
  private readonly freeLeaves: Int32Array;
  private freeLeafCount: number;
  /** Scratch: the internal nodes on the path to a leaf, root first. */
  private readonly path: Int32Array;

  constructor(dimensions: number, capacity: number) {
    this.dimensions = dimensions;
    this.capacity = capacity;
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.cutDim = new Int32Array(capacity);
    this.cutValue = new Float64Array(capacity);
    this.lo = new Float64Array(capacity * dimensions);
    this.hi = new Float64Array(capacity * dimensions);
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
    const lo = this.lo;
    const hi = this.hi;
    const mass = this.mass;
    let node = this.root;
    for (;;) {
      const isLeaf = node >= cap;
      if (isLeaf && this.equalsLeaf(node, point)) {
        mass[node]! += 1;
        return node;
      }
      const boxLo = isLeaf ? this.leafPoint : lo;
      const boxHi = isLeaf ? this.leafPoint : hi;
      const base = (isLeaf ? node - cap : node) * dims;
      // Draw the cut over the box grown to hold the point: a dimension in proportion to its side.
      let range = 0;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        const a = boxLo[base + i]!;
        const b = boxHi[base + i]!;
        range += (b > v ? b : v) - (a < v ? a : v);
      }
      let r = random.nextOpen() * range;
      let dim = -1;
      let low = 0;
      let gap = 0;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        const a = boxLo[base + i]!;
        const b = boxHi[base + i]!;
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
      if (cut < boxLo[base + dim]! || cut >= boxHi[base + dim]!) {
        this.separate(node, point, dim, cut);
        return this.leafOfNewest;
      }
      // The cut falls inside the node's box: the point belongs below this (internal) node.
      mass[node]! += 1;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        if (v < lo[base + i]!) lo[base + i] = v;
        if (v > hi[base + i]!) hi[base + i] = v;
      }
      node = point[this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]!;
    }
  }

  private leafOfNewest = NONE;

  /** A new internal node cutting `dim` at `cut`, above `node`, with a new leaf for `point` beside it. */
  private separate(node: number, point: ArrayLike<number>, dim: number, cut: number): void {
    const dims = this.dimensions;
    const cap = this.capacity;
    const above = this.parent[node]!;
    const inner = this.freeInternal[--this.freeInternalCount]!;
    const leaf = this.newLeaf(point, inner);
    this.cutDim[inner] = dim;
    this.cutValue[inner] = cut;
    if (point[dim]! <= cut) {
      this.left[inner] = leaf;
      this.right[inner] = node;
    } else {
      this.left[inner] = node;
      this.right[inner] = leaf;
    }
    this.mass[inner] = this.mass[node]! + 1;
    const isLeaf = node >= cap;
    const base = (isLeaf ? node - cap : node) * dims;
    const lo = isLeaf ? this.leafPoint : this.lo;
    const hi = isLeaf ? this.leafPoint : this.hi;
    const innerBase = inner * dims;
    for (let i = 0; i < dims; i++) {
      this.lo[innerBase + i] = Math.min(lo[base + i]!, point[i]!);
      this.hi[innerBase + i] = Math.max(hi[base + i]!, point[i]!);
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
    const sibling = this.left[inner] === leaf ? this.right[inner]! : this.left[inner]!;
    const above = this.parent[inner]!;
    this.parent[sibling] = above;
    this.replaceChild(above, inner, sibling);
    this.freeInternal[this.freeInternalCount++] = inner;
    this.parent[inner] = NONE;
    this.shrinkBoxesFrom(above);
  }

  /** Recomputes boxes from the children upward, stopping where a box does not change. */
  private shrinkBoxesFrom(start: number): void {
    for (let n = start; n !== NONE; n = this.parent[n]!) if (!this.boxFromChildren(n)) return;
  }

  /** Sets an internal node's box to the union of its children's; says whether it changed. */
  private boxFromChildren(n: number): boolean {
    const dims = this.dimensions;
    const cap = this.capacity;
    const base = n * dims;
    const l = this.left[n]!;
    const r = this.right[n]!;
    const lLo = l >= cap ? this.leafPoint : this.lo;
    const lHi = l >= cap ? this.leafPoint : this.hi;
    const lBase = (l >= cap ? l - cap : l) * dims;
    const rLo = r >= cap ? this.leafPoint : this.lo;
    const rHi = r >= cap ? this.leafPoint : this.hi;
    const rBase = (r >= cap ? r - cap : r) * dims;
    const lo = this.lo;
    const hi = this.hi;
    let changed = false;
    for (let i = 0; i < dims; i++) {
      const a = lLo[lBase + i]!;
      const b = rLo[rBase + i]!;
      const low = a < b ? a : b;
      const c = lHi[lBase + i]!;
      const d = rHi[rBase + i]!;
      const high = c > d ? c : d;
      if (low !== lo[base + i] || high !== hi[base + i]) changed = true;
      lo[base + i] = low;
      hi[base + i] = high;
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
    const dims = this.dimensions;
    const cap = this.capacity;
    const path = this.path;
    const cutDim = this.cutDim;
    const cutValue = this.cutValue;
    const left = this.left;
    const right = this.right;
    let depth = 0;
    let node = this.root;
    while (node < cap) {
      path[depth++] = node;
      node = q[cutDim[node]!]! <= cutValue[node]! ? left[node]! : right[node]!;
    }
    const treeMass = this.mass[this.root]!;
    if (this.equalsLeaf(node, q)) return normalizeScore(scoreSeen(depth, this.mass[node]!, treeMass), treeMass);
    let score = scoreUnseen(depth);
    const lo = this.lo;
    const hi = this.hi;
    for (let k = depth - 1; k >= 0; k--) {
      const base = path[k]! * dims;
      let outside = 0;
      let range = 0;
      for (let i = 0; i < dims; i++) {
        const low = lo[base + i]!;
        const high = hi[base + i]!;
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

  /** The structure in preorder, with leaf ids in that order (`leafOrder[leafId]` = preorder index). */
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
        nodes.push(this.cutDim[node]!);
        cuts.push(this.cutValue[node]!);
        stack.push(this.right[node]!, this.left[node]!);
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
      this.parent[inner] = above;
      this.cutDim[inner] = code;
      this.cutValue[inner] = shape.cuts[cutAt++]!;
      this.left[inner] = build(inner);
      this.right[inner] = build(inner);
      this.mass[inner] = this.mass[this.left[inner]!]! + this.mass[this.right[inner]!]!;
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
    if (above === NONE) this.root = to;
    else if (this.left[above] === from) this.left[above] = to;
    else this.right[above] = to;
  }
}
