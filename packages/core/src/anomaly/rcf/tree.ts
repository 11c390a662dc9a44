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
    let node = this.root;
    for (;;) {
      const isLeaf = node >= cap;
      const box = isLeaf ? this.leafPoint : this.lo;
      const boxHi = isLeaf ? this.leafPoint : this.hi;
      const base = (isLeaf ? node - cap : node) * dims;
      if (isLeaf && this.equalsLeaf(node, point)) {
        this.mass[node]! += 1;
        return node;
      }
      // Draw the cut over the box grown to hold the point.
      let range = 0;
      for (let i = 0; i < dims; i++) range += Math.max(boxHi[base + i]!, point[i]!) - Math.min(box[base + i]!, point[i]!);
      let r = random.nextOpen() * range;
      let dim = -1;
      let low = 0;
      let gap = 0;
      for (let i = 0; i < dims; i++) {
        const l = Math.min(box[base + i]!, point[i]!);
        const g = Math.max(boxHi[base + i]!, point[i]!) - l;
        if (g <= 0) continue;
        dim = i;
        low = l;
        gap = g;
        if (r < g) break;
        r -= g;
      }
      let cut = low + Math.min(r, gap);
      if (cut >= low + gap) cut = low; // rounding put the cut on the far edge
      const boxLow = box[base + dim]!;
      const boxHigh = boxHi[base + dim]!;
      if (cut < boxLow || cut >= boxHigh) {
        this.separate(node, point, dim, cut);
        return this.leafOfNewest;
      }
      // The cut falls inside the node's box: the point belongs below this (internal) node.
      this.mass[node]! += 1;
      for (let i = 0; i < dims; i++) {
        const v = point[i]!;
        if (v < this.lo[base + i]!) this.lo[base + i] = v;
        if (v > this.hi[base + i]!) this.hi[base + i] = v;
      }
      node = point[this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]! ;
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
    const base = n * dims;
    const [l, lBase] = this.boxOf(this.left[n]!);
    const [r, rBase] = this.boxOf(this.right[n]!);
    let changed = false;
    for (let i = 0; i < dims; i++) {
      const low = Math.min(l[0][lBase + i]!, r[0][rBase + i]!);
      const high = Math.max(l[1][lBase + i]!, r[1][rBase + i]!);
      if (low !== this.lo[base + i] || high !== this.hi[base + i]) changed = true;
      this.lo[base + i] = low;
      this.hi[base + i] = high;
    }
    return changed;
  }

  private boxOf(node: number): [[Float64Array, Float64Array], number] {
    if (node >= this.capacity) return [[this.leafPoint, this.leafPoint], (node - this.capacity) * this.dimensions];
    return [[this.lo, this.hi], node * this.dimensions];
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
    let depth = 0;
    let node = this.root;
    while (node < cap) {
      path[depth++] = node;
      node = q[this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]!;
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
