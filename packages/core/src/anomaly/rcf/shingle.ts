import { InvalidForestOptionsError, InvalidPointError } from "./errors.ts";

/**
 * A rolling shingle: the last `size` values (each of `dimensions` numbers) of a series, oldest
 * first, as one point, so a forest sees a short window of the series rather than single values.
 */
export class Shingle {
  readonly size: number;
  readonly dimensions: number;
  private readonly ring: Float64Array;
  private next = 0;
  private count = 0;

  constructor(size: number, dimensions = 1) {
    if (!Number.isInteger(size) || size < 1) throw new InvalidForestOptionsError(`shingle size must be a positive integer, not ${size}`);
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new InvalidForestOptionsError(`shingle dimensions must be a positive integer, not ${dimensions}`);
    this.size = size;
    this.dimensions = dimensions;
    this.ring = new Float64Array(size * dimensions);
  }

  /** Adds one step; returns the shingled point (size × dimensions numbers) once `size` steps are in. */
  push(value: number | ArrayLike<number>): number[] | undefined {
    const values = typeof value === "number" ? [value] : value;
    if (values.length !== this.dimensions) throw new InvalidPointError(`a shingle step has ${this.dimensions} value(s), not ${values.length}`);
    for (let i = 0; i < this.dimensions; i++) {
      if (!Number.isFinite(values[i])) throw new InvalidPointError(`shingle value ${i} is not a finite number: ${values[i]}`);
    }
    this.ring.set(values, this.next * this.dimensions);
    this.next = (this.next + 1) % this.size;
    this.count = Math.min(this.count + 1, this.size);
    if (this.count < this.size) return undefined;
    const point = new Array<number>(this.size * this.dimensions);
    for (let step = 0; step < this.size; step++) {
      const from = ((this.next + step) % this.size) * this.dimensions;
      for (let i = 0; i < this.dimensions; i++) point[step * this.dimensions + i] = this.ring[from + i]!;
    }
    return point;
  }
}
