import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES, type BatchReceipt } from "@freshet/core";

export interface PipelineCounts {
  readonly received: number;
  readonly processed: number;
  readonly filtered: number;
  readonly deadLettered: number;
  readonly batches: number;
}

/** All that is kept of a receipt: what it adds to the totals (a receipt lists its objects and windows too). */
type Tally = readonly [received: number, processed: number, filtered: number, deadLettered: number];

/**
 * Live totals of the transformer's work, summed from the batch receipts in the lake. Receipts are
 * keyed by batch, so a redelivered batch replaces its receipt rather than counting twice: each
 * receipt's four counts are kept to be taken back then, and the totals are kept as they change.
 * A long `npm start` writes tens of thousands of receipts an hour, and the console asks for the
 * totals every few seconds.
 */
export class ReceiptCounter {
  readonly #tallies = new Map<string, Tally>();
  #received = 0;
  #processed = 0;
  #filtered = 0;
  #deadLettered = 0;
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
    const receipt = JSON.parse(await (object.Body as { transformToString(): Promise<string> }).transformToString()) as BatchReceipt;
    this.#count(key, [receipt.received, receipt.processed, receipt.filtered, receipt.dead_lettered]);
  }

  totals(): PipelineCounts {
    return { received: this.#received, processed: this.#processed, filtered: this.#filtered, deadLettered: this.#deadLettered, batches: this.#tallies.size };
  }

  /** Counts `tally` for `key`, in place of what an earlier receipt under that key counted. */
  #count(key: string, tally: Tally): void {
    const earlier = this.#tallies.get(key);
    if (earlier) this.#shift(earlier, -1);
    this.#shift(tally, 1);
    this.#tallies.set(key, tally);
  }

  #shift([received, processed, filtered, deadLettered]: Tally, sign: 1 | -1): void {
    this.#received += sign * received;
    this.#processed += sign * processed;
    this.#filtered += sign * filtered;
    this.#deadLettered += sign * deadLettered;
  }
}
