import { Xoshiro128 } from "../../packages/core/src/anomaly/rcf/random.ts";

/**
 * For the bench only: the same Random Cut Forest as core's (same insert, delete, sampler and
 * scoring), written the straightforward way, one object per node with its own box arrays, to
 * show what core's typed-array layout buys.
 */
interface Leaf {
  kind: "leaf";
  point: number[];
  mass: number;
  parent: Internal | undefined;
}
interface Internal {
  kind: "internal";
  dim: number;
  cut: number;
  left: Node;
  right: Node;
  lo: number[];
  hi: number[];
  mass: number;
  parent: Internal | undefined;
}
type Node = Leaf | Internal;
interface Entry {
  weight: number;
  leaf: Leaf;
}

const lowOf = (node: Node): number[] => (node.kind === "leaf" ? node.point : node.lo);
const highOf = (node: Node): number[] => (node.kind === "leaf" ? node.point : node.hi);

class ObjectTree {
  root: Node | undefined;

  insert(point: number[], random: Xoshiro128): Leaf {
    if (!this.root) return (this.root = { kind: "leaf", point: [...point], mass: 1, parent: undefined });
    let node: Node = this.root;
    for (;;) {
      if (node.kind === "leaf" && node.point.every((v, i) => v === point[i])) {
        node.mass += 1;
        return node;
      }
      const lo = lowOf(node).map((v, i) => Math.min(v, point[i]!));
      const hi = highOf(node).map((v, i) => Math.max(v, point[i]!));
      const range = hi.reduce((sum, v, i) => sum + v - lo[i]!, 0);
      let r = random.nextOpen() * range;
      let dim = -1;
      for (let i = 0; i < lo.length; i++) {
        const gap = hi[i]! - lo[i]!;
        if (gap <= 0) continue;
        dim = i;
        if (r < gap) break;
        r -= gap;
      }
      let cut = lo[dim]! + Math.min(r, hi[dim]! - lo[dim]!);
      if (cut >= hi[dim]!) cut = lo[dim]!;
      if (cut < lowOf(node)[dim]! || cut >= highOf(node)[dim]!) {
        const leaf: Leaf = { kind: "leaf", point: [...point], mass: 1, parent: undefined };
        const above: Internal | undefined = node.parent;
        const inner: Internal = { kind: "internal", dim, cut, left: node, right: leaf, lo, hi, mass: node.mass + 1, parent: above };
        if (point[dim]! <= cut) [inner.left, inner.right] = [leaf, node];
        if (!above) this.root = inner;
        else if (above.left === node) above.left = inner;
        else above.right = inner;
        node.parent = inner;
        leaf.parent = inner;
        return leaf;
      }
      const internal = node as Internal;
      internal.mass += 1;
      internal.lo = lo;
      internal.hi = hi;
      node = point[internal.dim]! <= internal.cut ? internal.left : internal.right;
    }
  }

  delete(leaf: Leaf): void {
    for (let n: Node | undefined = leaf; n; n = n.parent) n.mass -= 1;
    if (leaf.mass > 0) return;
    const inner = leaf.parent;
    if (!inner) {
      this.root = undefined;
      return;
    }
    const sibling = inner.left === leaf ? inner.right : inner.left;
    const above = inner.parent;
    sibling.parent = above;
    if (!above) this.root = sibling;
    else if (above.left === inner) above.left = sibling;
    else above.right = sibling;
    for (let n = above; n; n = n.parent) {
      n.lo = lowOf(n.left).map((v, i) => Math.min(v, lowOf(n.right)[i]!));
      n.hi = highOf(n.left).map((v, i) => Math.max(v, highOf(n.right)[i]!));
    }
  }

  score(q: number[]): number {
    if (!this.root) return 0;
    const path: Internal[] = [];
    let node: Node = this.root;
    while (node.kind === "internal") {
      path.push(node);
      node = q[node.dim]! <= node.cut ? node.left : node.right;
    }
    const depth = path.length;
    const total = this.root.mass;
    if (node.point.every((v, i) => v === q[i])) return ((1 - node.mass / (2 * total)) / (depth + Math.log2(node.mass + 1))) * Math.log2(total + 1);
    let score = 1 / (depth + 1);
    for (let k = depth - 1; k >= 0; k--) {
      const { lo, hi } = path[k]!;
      let outside = 0;
      let range = 0;
      q.forEach((v, i) => {
        outside += Math.max(lo[i]! - v, 0) + Math.max(v - hi[i]!, 0);
        range += hi[i]! - lo[i]!;
      });
      if (outside === 0) break;
      const p = outside / (outside + range);
      score = p / (k + 1) + (1 - p) * score;
    }
    return score * Math.log2(total + 1);
  }
}

export class ObjectForest {
  private readonly trees: ObjectTree[] = [];
  private readonly samples: Entry[][] = [];
  private readonly randoms: Xoshiro128[] = [];
  private updates = 0;
  private readonly timeDecay: number;
  private readonly sampleSize: number;

  constructor(numberOfTrees: number, sampleSize: number, seed: number) {
    this.sampleSize = sampleSize;
    this.timeDecay = 1 / (10 * sampleSize);
    const seeds = Xoshiro128.fromSeed(seed);
    for (let t = 0; t < numberOfTrees; t++) {
      this.trees.push(new ObjectTree());
      this.samples.push([]);
      this.randoms.push(new Xoshiro128([seeds.nextUint32(), seeds.nextUint32(), seeds.nextUint32(), seeds.nextUint32()]));
    }
  }

  score(point: number[]): number {
    if (this.updates < this.sampleSize / 4) return 0;
    return this.trees.reduce((sum, tree) => sum + tree.score(point), 0) / this.trees.length;
  }

  update(point: number[]): void {
    this.trees.forEach((tree, t) => {
      const heap = this.samples[t]!;
      const weight = -this.timeDecay * this.updates + Math.log(-Math.log(this.randoms[t]!.nextOpen()));
      if (heap.length === this.sampleSize) {
        if (weight >= heap[0]!.weight) return;
        tree.delete(heap[0]!.leaf);
        heap[0] = { weight, leaf: tree.insert(point, this.randoms[t]!) };
        siftDown(heap);
      } else {
        heap.push({ weight, leaf: tree.insert(point, this.randoms[t]!) });
        siftUp(heap);
      }
    });
    this.updates += 1;
  }
}

function siftUp(heap: Entry[]): void {
  let i = heap.length - 1;
  while (i > 0) {
    const up = (i - 1) >> 1;
    if (heap[up]!.weight >= heap[i]!.weight) return;
    [heap[up], heap[i]] = [heap[i]!, heap[up]!];
    i = up;
  }
}

function siftDown(heap: Entry[]): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heap.length) return;
    if (child + 1 < heap.length && heap[child + 1]!.weight > heap[child]!.weight) child += 1;
    if (heap[child]!.weight <= heap[i]!.weight) return;
    [heap[child], heap[i]] = [heap[i]!, heap[child]!];
    i = child;
  }
}
