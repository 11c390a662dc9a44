import type { S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES } from "@freshet/core";
import { ReceiptCounter, type PipelineCounts } from "./receipt-counter.ts";

/**
 * The platform's live counts: the receipts already in the lake once S3 is reachable, then each
 * receipt as the lake gets it. Reads still under way are tracked so that `settled()` can wait for
 * them (a test that waits for idle then reads the counts sees every receipt written).
 */
export class LiveReceiptCounts {
  #counter: ReceiptCounter | undefined;
  readonly #reading = new Set<Promise<void>>();

  /** Reads the receipts already in the lake, and from now on counts each new one. */
  async start(s3: S3Client, bucket: string): Promise<void> {
    this.#counter = new ReceiptCounter(s3, bucket);
    await this.#counter.load();
  }

  /** For the lake's "object created" hook: counts the object if it is a receipt. */
  objectCreated(key: string): void {
    if (!this.#counter || !key.startsWith(LAKE_PREFIXES.receipts)) return;
    const reading: Promise<void> = this.#counter
      .add(key)
      .catch(() => undefined)
      .finally(() => this.#reading.delete(reading));
    this.#reading.add(reading);
  }

  async settled(): Promise<void> {
    await Promise.all(this.#reading);
  }

  totals(): PipelineCounts {
    return this.#counter?.totals() ?? { received: 0, processed: 0, filtered: 0, deadLettered: 0, batches: 0 };
  }
}
