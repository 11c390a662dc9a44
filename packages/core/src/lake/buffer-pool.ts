/** Buffers are sized in steps of this, so that similar bodies of later batches fit the same ones. */
const STEP_BYTES = 16 * 1024;

/**
 * Buffers that batch bodies are built in, reused from batch to batch. Fresh memory is what a
 * batch's bodies cost most: every page is faulted in on first touch, and the external memory
 * stays allocated until a GC happens to collect the Buffer that owns it. Bounded: beyond
 * `maxBytes` of free buffers, returned ones are left to the GC.
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #maxBytes: number;
  #freeBytes = 0;

  constructor(maxBytes = 4 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for reuse right now. */
  get freeBytes(): number {
    return this.#freeBytes;
  }

  /** A buffer of at least `bytes`, the smallest free one that fits or a new one; contents arbitrary. */
  take(bytes: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const size = (this.#free[i] as Buffer).length;
      if (size >= bytes && (best < 0 || size < (this.#free[best] as Buffer).length)) best = i;
    }
    if (best < 0) return Buffer.allocUnsafeSlow(Math.max(1, Math.ceil(bytes / STEP_BYTES)) * STEP_BYTES);
    const [buffer] = this.#free.splice(best, 1) as [Buffer];
    this.#freeBytes -= buffer.length;
    return buffer;
  }

  /** Hands a buffer from `take` back. Its contents, and every view of it, now belong to the pool. */
  give(buffer: Buffer): void {
    if (this.#freeBytes + buffer.length > this.#maxBytes) return;
    this.#free.push(buffer);
    this.#freeBytes += buffer.length;
  }
}
