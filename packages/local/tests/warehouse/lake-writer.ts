import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_PIPELINE_CONFIG, planBatch, type StreamRecord } from "@freshet/core";
import { gzipSync } from "node:zlib";
import { generateEvents } from "../../src/traffic/events.ts";

export interface WrittenLake {
  /** Every event id the transformer keeps (each once, whatever the duplicates). */
  readonly eventIds: ReadonlySet<string>;
  readonly processedKeys: readonly string[];
  readonly receiptKeys: readonly string[];
  /** Records received, filtered and dead-lettered over all batches (the receipts' totals). */
  readonly totals: { received: number; processed: number; filtered: number; dead_lettered: number };
}

export interface LakeWriteOptions {
  readonly count: number;
  readonly now: Date;
  readonly seed?: number;
  /** Records per stream batch (one set of lake objects each). */
  readonly batchSize?: number;
  readonly shardId?: string;
  /** Skip writing receipts (as if the transformer crashed between data and receipt). */
  readonly withoutReceipts?: boolean;
}

/**
 * Writes what the transformer would write for `count` generated events: core's `planBatch` on
 * stream batches of `batchSize`, every object (raw, processed per event hour, dead letters,
 * receipt) put to the lake as the transformer puts it (gzip where the plan says so).
 */
export async function writeGeneratedLake(s3: S3Client, bucket: string, options: LakeWriteOptions): Promise<WrittenLake> {
  const seed = options.seed ?? 1;
  const generated = generateEvents(options.count, options.now, seed);
  const eventIds = new Set<string>();
  for (const g of generated) if (g.expected.kind === "processed") eventIds.add(g.expected.eventId);
  const batchSize = options.batchSize ?? 500;
  const processedKeys: string[] = [];
  const receiptKeys: string[] = [];
  const totals = { received: 0, processed: 0, filtered: 0, dead_lettered: 0 };
  const encoder = new TextEncoder();
  for (let start = 0; start < generated.length; start += batchSize) {
    const records: StreamRecord[] = generated.slice(start, start + batchSize).map((g, i) => ({
      data: encoder.encode(g.line),
      sequenceNumber: String(seed * 1_000_000_000 + start + i).padStart(56, "4"),
      partitionKey: `pk-${(start + i) % 7}`,
      arrivedAt: options.now,
    }));
    const plan = planBatch({ streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/freshet-local-Events", shardId: options.shardId ?? "shardId-000000000000", records }, DEFAULT_PIPELINE_CONFIG);
    for (const key of ["received", "processed", "filtered", "dead_lettered"] as const) totals[key] += plan.receipt[key];
    // Data first (in parallel), receipt last, as the transformer writes them.
    const put = async (o: (typeof plan.objects)[number]): Promise<void> => {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: o.key,
          Body: o.gzip ? gzipSync(o.bytes) : o.bytes,
          ContentType: o.contentType,
          ...(o.gzip ? { ContentEncoding: "gzip" } : {}),
        }),
      );
    };
    await Promise.all(plan.objects.filter((o) => o.kind !== "receipt").map(put));
    for (const o of plan.objects) if (o.kind === "processed") processedKeys.push(o.key);
    if (!options.withoutReceipts) {
      for (const o of plan.objects.filter((x) => x.kind === "receipt")) {
        await put(o);
        receiptKeys.push(o.key);
      }
    }
    plan.release();
  }
  return { eventIds, processedKeys, receiptKeys, totals };
}
