import { KinesisClient, CreateStreamCommand } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_PIPELINE_CONFIG, planBatch, type StreamBatch } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { forEachLimited } from "../../packages/functions/src/shared/for-each-limited.ts";
import { triageObject } from "../../packages/functions/src/triage/triage-object.ts";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createKinesisService } from "../../packages/local/src/kinesis/index.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { format } from "./measure.ts";

const BUCKET = "bench-lake";
const STREAM = "bench-events";

export interface TriageFlowBench {
  readonly objects: number;
  readonly deadLetters: number;
  readonly repaired: number;
  /** Dead letters read from the lake, classified, repaired, redriven (PutRecords) and ledgered, per second. */
  readonly lettersPerSecond: number;
}

/**
 * The triage function's per-object step end to end against the embedded S3 and Kinesis: read the
 * gzip NDJSON dead letters, triage each, PutRecords the repaired (the ingest's retry helper),
 * write the quarantine and the ledger markers. As the workflow's Map runs it: 4 objects at once.
 */
export async function benchTriageFlow(objects = 40, perObject = 250): Promise<TriageFlowBench> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-triage-"));
  const endpoint = await startEndpoint({ services: [createKinesisService({ dataDir }), createS3Service({ dataDir })] });
  const config = { endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const kinesis = new KinesisClient(config);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    const now = new Date();
    const keys = await writeDeadLetters(s3, objects, perObject, now);
    const ctx = { s3, kinesis, bucket: BUCKET, streamName: STREAM, config: DEFAULT_PIPELINE_CONFIG, now: () => now };
    let letters = 0;
    let repaired = 0;
    const t0 = performance.now();
    await forEachLimited(keys, 4, async (key) => {
      const r = await triageObject(ctx, key, "bench", false);
      letters += r.letters;
      repaired += r.repaired;
    });
    const seconds = (performance.now() - t0) / 1000;
    const result = { objects: keys.length, deadLetters: letters, repaired, lettersPerSecond: letters / seconds };
    console.log(`  through the triage function on the embedded S3 + Kinesis (${format(keys.length)} objects, 4 at once)   ${format(result.lettersPerSecond)} letters/s (${format(repaired)} redriven)`);
    return result;
  } finally {
    s3.destroy();
    kinesis.destroy();
    await endpoint.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Dead-letter objects as the transformer writes them: `planBatch` over producers' mistakes. */
async function writeDeadLetters(s3: S3Client, objects: number, perObject: number, now: Date): Promise<string[]> {
  const keys: string[] = [];
  const occurred = new Date(now.getTime() - 15 * 60_000);
  const mistakes = [
    (i: number) => ({ revenue: `${(i % 97) + 0.5}`, currency: "USD" }),
    (i: number) => ({ occurred_at: occurred.getTime() * 1000 + (i % 1000) }),
    (i: number) => ({ plan: "pro", seats: i % 50 }),
    () => ({ user_id: "" }),
  ];
  for (let o = 0; o < objects; o++) {
    const batch: StreamBatch = {
      streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/bench",
      shardId: `shardId-${String(o).padStart(12, "0")}`,
      records: Array.from({ length: perObject }, (_, n) => {
        const i = o * perObject + n;
        const fields = { schema_version: 2, event_id: `evt-${i}`, event_type: "purchase", occurred_at: occurred.toISOString(), user_id: `u-${i % 500}`, account_id: "a-1" };
        // One mistake per object, so each dead-letter object holds one reason, as in the lake.
        return { data: Buffer.from(JSON.stringify({ ...fields, ...mistakes[o % mistakes.length]!(i) })), sequenceNumber: String(10_000 + i), partitionKey: `evt-${i}`, arrivedAt: now };
      }),
    };
    for (const obj of planBatch(batch, DEFAULT_PIPELINE_CONFIG).objects) {
      if (obj.kind !== "dead_letters") continue;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: obj.key, Body: gzipSync(obj.body) }));
      keys.push(obj.key);
    }
  }
  return keys;
}
