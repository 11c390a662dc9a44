import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchBucket, S3Client } from "@aws-sdk/client-s3";
import type { BatchReceipt, ProcessedEvent } from "@freshet/core";
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { anEventV1, anEventV2 } from "../../core/tests/helpers/factories.ts";
import { startEndpoint, type RunningEndpoint } from "../../local/src/endpoint/server.ts";
import { lambdaContext } from "../../local/src/lambda/context.ts";
import { createS3Service } from "../../local/src/s3/index.ts";
import { aKinesisEvent } from "./helpers/factories.ts";

/** The transformer handler against the embedded S3. Each test sets up the lake it starts from. */
const BUCKET = "transformer-test-lake";
let dataDir: string;
let endpoint: RunningEndpoint;
let s3: S3Client;
let handler: (event: KinesisStreamEvent, context: unknown) => Promise<KinesisStreamBatchResponse>;
const now = new Date();

async function listKeys(): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (page.Contents ?? []).map((o) => o.Key as string);
}

async function read(key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  return key.endsWith(".gz") ? gunzipSync(bytes).toString() : bytes.toString();
}

/** The lake as a test starts from it: no bucket at all, or an empty one. */
async function resetLake(state: "absent" | "empty"): Promise<void> {
  const keys = await listKeys().catch((error: unknown) => {
    if (error instanceof NoSuchBucket) return undefined;
    throw error;
  });
  if (keys) {
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    await s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
  }
  if (state === "empty") await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-transformer-"));
  endpoint = await startEndpoint({ services: [createS3Service({ dataDir })] });
  // For the whole file: the handler reads its links when imported, its S3 client its credentials when first used.
  const env = {
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "test" }),
    SST_RESOURCE_Lake: JSON.stringify({ name: BUCKET }),
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  s3 = new S3Client({});
  ({ handler } = (await import("../src/transformer.ts")) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  s3?.destroy();
  await endpoint?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const context = lambdaContext({ name: "transformer", memoryMb: 256, timeoutMs: 60_000 });
const lateHour = new Date(now.getTime() - 3 * 3_600_000);
const batch = aKinesisEvent([
  JSON.stringify(anEventV2({ event_id: "a", event_type: "signup", occurred_at: now.toISOString(), user_id: "u" })),
  JSON.stringify(anEventV1({ eventId: "b", type: "signup", timestamp: Math.floor(lateHour.getTime() / 1000), userId: 5 })),
  JSON.stringify(anEventV2({ event_id: "c", event_type: "heartbeat", occurred_at: now.toISOString() })),
  "{not json",
], { arrivalSeconds: now.getTime() / 1000 });

describe("transformer handler", () => {
  describe("when the lake bucket does not exist", () => {
    beforeEach(() => resetLake("absent"));

    it("reports every record failed when the lake cannot be written, writing no receipt", async () => {
      const response = await handler(batch, context);
      expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(batch.Records.map((r) => r.kinesis.sequenceNumber));
    });
  });

  describe("on an empty lake", () => {
    beforeEach(() => resetLake("empty"));

    it("writes raw, processed per event-time partition, dead letters and a receipt", async () => {
      const response = await handler(batch, context);
      expect(response.batchItemFailures).toEqual([]);
      const keys = await listKeys();
      const hourOf = (d: Date) => `dt=${d.toISOString().slice(0, 10)}/hr=${d.toISOString().slice(11, 13)}`;
      const processed = keys.filter((k) => k.startsWith("processed/"));
      expect(processed.map((k) => k.slice(0, k.lastIndexOf("/")))).toEqual(
        [`processed/${hourOf(lateHour)}`, `processed/${hourOf(now)}`].sort(),
      );
      const events = (await Promise.all(processed.map(read))).flatMap((b) => b.trim().split("\n")).map((l) => JSON.parse(l) as ProcessedEvent);
      expect(events.map((e) => [e.event_id, e.user_id, e.source_schema_version]).sort()).toEqual([["a", "u", 2], ["b", "5", 1]]);
      expect(keys.filter((k) => k.startsWith("dlq/"))).toEqual([expect.stringMatching(/^dlq\/dt=[\d-]+\/reason=malformed_json\//)]);
      const receipt = JSON.parse(await read(keys.find((k) => k.startsWith("receipts/")) as string)) as BatchReceipt;
      expect(receipt).toMatchObject({ received: 4, processed: 2, filtered: 1, dead_lettered: 1, filtered_by_type: { heartbeat: 1 } });
    });
  });

  describe("when the batch was delivered before", () => {
    beforeEach(async () => {
      await resetLake("empty");
      expect((await handler(batch, context)).batchItemFailures).toEqual([]);
    });

    it("overwrites rather than duplicates when the same batch is delivered again", async () => {
      const before = await listKeys();
      const bodies = await Promise.all(before.map(read));
      await handler(batch, context);
      const after = await listKeys();
      expect(after).toEqual(before);
      expect(await Promise.all(after.map(read))).toEqual(bodies);
    });
  });
});
