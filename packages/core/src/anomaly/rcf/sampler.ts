/**
 * A tree's sampler (random-cut-forest-by-aws's CompactSampler): up to `capacity` entries in a
 * max-heap on weight w = −λ·t + ln(−ln u). While not full every point is taken; then a point is
 * taken only if its weight is below the heap's maximum, which it evicts. Smaller weights win, and
 * −λ·t favours recent points: λ (time decay) sets how fast old points are forgotten.
 */
export class Sampler {
  readonly capacity: number;
  readonly weights: Float64Array;
  /** What each entry stands for (the tree's leaf id of the sampled point). */
  readonly refs: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.weights = new Float64Array(capacity);
    this.refs = new Int32Array(capacity);
  }

  static weight(timeDecay: number, sequenceIndex: number, u: number): number {
    return -timeDecay * sequenceIndex + Math.log(-Math.log(u));
  }

  get isFull(): boolean {
    return this.size === this.capacity;
  }

  accepts(weight: number): boolean {
    return this.size < this.capacity || weight < this.weights[0]!;
  }

  /** The entry the next accepted point evicts (only when full). */
  get evictee(): number {
    return this.refs[0]!;
  }

  /** Adds an accepted entry, evicting the maximum first when full. */
  add(weight: number, ref: number): void {
    if (this.size < this.capacity) {
      this.siftUp(this.size++, weight, ref);
    } else {
      this.siftDown(0, weight, ref);
    }
  }

  private siftUp(start: number, weight: number, ref: number): void {
    const weights = this.weights;
    const refs = this.refs;
    let i = start;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (weights[up]! >= weight) break;
      weights[i] = weights[up]!;
      refs[i] = refs[up]!;
      i = up;
    }
    weights[i] = weight;
    refs[i] = ref;
  }

  private siftDown(start: number, weight: number, ref: number): void {
    const weights = this.weights;
    const refs = this.refs;
    const size = this.size;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && weights[child + 1]! > weights[child]!) child += 1;
      if (weights[child]! <= weight) break;
      weights[i] = weights[child]!;
      refs[i] = refs[child]!;
      i = child;
    }
    weights[i] = weight;
    refs[i] = ref;
  }
}
