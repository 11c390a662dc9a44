import type { BufferPool } from "./buffer-pool.ts";

const NEWLINE = 0x0a;
/** The longest UTF-8 sequence: a write that leaves this much room free cannot have stopped short. */
const MAX_UTF8_SEQUENCE = 4;

/**
 * Builds an NDJSON body as UTF-8 bytes while a batch is planned, each line encoded as it comes.
 * A 500-record body never exists as one large JS string (V8 gives each its own fresh memory
 * mapping; joining lines was once the biggest cost of planning a batch), and finished lines do
 * not stay on the JS heap, where every scavenge would copy them. With a pool, the bytes go to
 * memory that earlier batches already used.
 */
export class NdjsonBuilder {
  readonly #pool: BufferPool | undefined;
  #bytes: Buffer;
  #length = 0;
  #lines = 0;

  /** `expectedBytes` sizes the first buffer; a good guess spares regrowing and copying it. */
  constructor(expectedBytes = 16 * 1024, pool?: BufferPool) {
    this.#pool = pool;
    this.#bytes = this.#allocate(Math.max(256, Math.ceil(expectedBytes)));
  }

  get lineCount(): number {
    return this.#lines;
  }

  /** Appends one line and its `\n`; `line` must not contain a newline (JSON.stringify's never does). */
  push(line: string): void {
    this.#write(line);
    this.endLine();
  }

  /**
   * Appends text to the current line. A line written in pieces spares building it as one string
   * first: a long flat piece (a record's base64) is copied once, straight into the body.
   */
  append(text: string): void {
    this.#write(text);
  }

  /**
   * Appends text made of `lines` whole lines, each already ending in `\n`: several short lines
   * gathered into one string are written in one call, which costs less than a call per piece.
   */
  pushLines(text: string, lines: number): void {
    this.#write(text);
    this.#lines += lines;
  }

  /** Ends the current line with `\n`. */
  endLine(): void {
    if (this.#length === this.#bytes.length) this.#grow(this.#length + 1);
    this.#bytes[this.#length++] = NEWLINE;
    this.#lines += 1;
  }

  /** Every line followed by `\n` (no bytes at all for no lines): a view of the builder's buffer. */
  finish(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }

  /** Gives the buffer back to the pool; the builder and every view `finish` returned are then dead. */
  release(): void {
    this.#pool?.give(this.#bytes);
  }

  #write(text: string): void {
    // Measuring UTF-8 length costs more than encoding, so encode first. Without room for the
    // worst case (3 bytes per UTF-16 unit) a write may stop short, but only one that leaves
    // less than 4 bytes free: then measure, grow and write again.
    if (this.#bytes.length - this.#length < text.length * 3) {
      const written = this.#bytes.write(text, this.#length, "utf8");
      if (this.#bytes.length - this.#length - written >= MAX_UTF8_SEQUENCE) {
        this.#length += written;
        return;
      }
      this.#grow(this.#length + Buffer.byteLength(text, "utf8"));
    }
    this.#length += this.#bytes.write(text, this.#length, "utf8");
  }

  #grow(needed: number): void {
    const next = this.#allocate(Math.max(needed, this.#bytes.length * 2));
    this.#bytes.copy(next, 0, 0, this.#length);
    this.#pool?.give(this.#bytes);
    this.#bytes = next;
  }

  #allocate(bytes: number): Buffer {
    return this.#pool ? this.#pool.take(bytes) : Buffer.allocUnsafe(bytes);
  }
}
