import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { BatchReceipt, ProcessedEvent } from "@freshet/core";
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../local/src/endpoint/server.ts";
import { lambdaContext } from "../../local/src/lambda/context.ts";
import { createS3Service } from "../../local/src/s3/index.ts";

/** The transformer handler against the embedded S3. */
const BUCKET = "transformer-test-lake";
let dataDir: string;
let endpoint: RunningEndpoint;
let s3: S3Client;
let handler: (event: KinesisStreamEvent, context: unknown) => Promise<KinesisStreamBatchResponse>;
const now = new Date();

function kinesisEvent(lines: string[], firstSeq = 100): KinesisStreamEvent {
  return {
    Records: lines.map((line, i) => {
      const seq = String(firstSeq + i).padStart(56, "4");
      return {
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: `pk-${i}`,
          sequenceNumber: seq,
          data: Buffer.from(line).toString("base64"),
          approximateArrivalTimestamp: now.getTime() / 1000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000003:${seq}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::000000000000:role/t",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/t",
      };
    }),
  };
}

async function listKeys(): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (page.Contents ?? []).map((o) => o.Key as string);
}

async function read(key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  return key.endsWith(".gz") ? gunzipSync(bytes).toString() : bytes.toString();
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-transformer-"));
  endpoint = await startEndpoint({ services: [createS3Service({ dataDir })] });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "test" }),
    SST_RESOURCE_Lake: JSON.stringify({ name: BUCKET }),
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  s3 = new S3Client({});
  ({ handler } = (await import("../src/transformer.ts")) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  s3?.destroy();
  await endpoint?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const context = lambdaContext({ name: "transformer", memoryMb: 256, timeoutMs: 60_000 });
const lateHour = new Date(now.getTime() - 3 * 3_600_000);
const batch = kinesisEvent([
  JSON.stringify({ event_id: "a", event_type: "signup", occurred_at: now.toISOString(), user_id: "u", account_id: "x" }),
  JSON.stringify({ eventId: "b", type: "signup", timestamp: Math.floor(lateHour.getTime() / 1000), userId: 5, accountId: "x" }),
  JSON.stringify({ event_id: "c", event_type: "heartbeat", occurred_at: now.toISOString(), user_id: "u", account_id: "x" }),
  "{not json",
]);

describe("transformer handler", () => {
  it("reports every record failed when the lake cannot be written, writing no receipt", async () => {
    const response = await handler(batch, context); // the bucket does not exist yet
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(batch.Records.map((r) => r.kinesis.sequenceNumber));
  });

  it("writes raw, processed per event-time partition, dead letters and a receipt", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
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

  it("overwrites rather than duplicates when the same batch is delivered again", async () => {
    const before = await listKeys();
    const bodies = await Promise.all(before.map(read));
    await handler(batch, context);
    const after = await listKeys();
    expect(after).toEqual(before);
    expect(await Promise.all(after.map(read))).toEqual(bodies);
  });
});
