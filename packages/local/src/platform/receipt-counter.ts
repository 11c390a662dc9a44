import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES, type BatchReceipt } from "@freshet/core";

export interface PipelineCounts {
  readonly received: number;
  readonly processed: number;
  readonly filtered: number;
  readonly deadLettered: number;
  readonly batches: number;
}

/**
 * Live totals of the transformer's work, summed from the batch receipts in the lake. Receipts are
 * keyed by batch, so a redelivered batch replaces its receipt rather than counting twice.
 */
export class ReceiptCounter {
  readonly #receipts = new Map<string, BatchReceipt>();
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  /** Reads every receipt already in the lake (after a restart). */
  async load(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.#s3.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: LAKE_PREFIXES.receipts, ContinuationToken: token }),
      );
      await Promise.all((page.Contents ?? []).map((o) => this.add(o.Key as string)));
      token = page.NextContinuationToken;
    } while (token);
  }

  async add(key: string): Promise<void> {
    if (!key.startsWith(LAKE_PREFIXES.receipts)) return;
    const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    this.#receipts.set(key, JSON.parse(await (object.Body as { transformToString(): Promise<string> }).transformToString()));
  }

  totals(): PipelineCounts {
    let received = 0;
    let processed = 0;
    let filtered = 0;
    let deadLettered = 0;
    for (const r of this.#receipts.values()) {
      received += r.received;
      processed += r.processed;
      filtered += r.filtered;
      deadLettered += r.dead_lettered;
    }
    return { received, processed, filtered, deadLettered, batches: this.#receipts.size };
  }
}
