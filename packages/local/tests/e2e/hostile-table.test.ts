import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_RESOURCES, startPlatform, type Platform } from "../../src/index.ts";

/**
 * Hostile requests against the real local route (API Gateway stand-in → the deployed ingest
 * handler): each gets its 4xx and reason, and afterwards nothing is on the stream or in the lake.
 * The ingest function runs on this thread (`transformerEnvironments: 0`) so that the memory a
 * bomb costs shows in this process's peak resident size (a high-water mark, not a timing).
 */
let dataDir: string;
let platform: Platform;
let s3: S3Client;
let kinesis: KinesisClient;

const MiB = 1024 * 1024;
const peakBytes = () => process.resourceUsage().maxRSS * 1024;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-hostile-table-"));
  platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, triageOnLanding: false, transformerEnvironments: 0 });
  const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  kinesis = new KinesisClient(config);
});

afterAll(async () => {
  await platform?.stop();
  s3?.destroy();
  kinesis?.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function streamRecords(): Promise<number> {
  let total = 0;
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: LOCAL_RESOURCES.streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: LOCAL_RESOURCES.streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      total += page.Records?.length ?? 0;
      if ((page.MillisBehindLatest ?? 0) === 0 && (page.Records?.length ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return total;
}

async function lakeObjects(): Promise<number> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_RESOURCES.bucketName }));
  return page.KeyCount ?? 0;
}

/** Sends raw bytes and answers the status line's code: for requests `fetch` refuses to send. */
function raw(request: string): Promise<number> {
  const { hostname, port } = new URL(platform.ingestUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on("error", reject);
  });
}

interface Case {
  readonly name: string;
  readonly send: () => Promise<{ status: number; body?: Record<string, unknown> }>;
  readonly status: number;
  readonly reason?: Record<string, unknown>;
}

const event = (id: string) => JSON.stringify({ event_id: id, event_type: "page_view", occurred_at: new Date().toISOString(), user_id: "u", account_id: "a" });

async function post(body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(platform.ingestUrl, { method: "POST", headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const key = () => platform.apiKey;
const ndjson = { "content-type": "application/x-ndjson" };
const json = { "content-type": "application/json" };

const CASES: readonly Case[] = [
  { name: "no API key", send: () => post(event("k1"), ndjson), status: 401, reason: { error: "unauthorized" } },
  { name: "empty API key", send: () => post(event("k2"), { ...ndjson, "x-api-key": "" }), status: 401, reason: { error: "unauthorized" } },
  { name: "wrong key of the same length", send: () => post(event("k3"), { ...ndjson, "x-api-key": "x".repeat(key().length) }), status: 403, reason: { error: "forbidden" } },
  { name: "the key's prefix (a length probe)", send: () => post(event("k4"), { ...ndjson, "x-api-key": key().slice(0, -1) }), status: 403, reason: { error: "forbidden" } },
  { name: "the key plus one character", send: () => post(event("k5"), { ...ndjson, "x-api-key": `${key()}0` }), status: 403, reason: { error: "forbidden" } },
  { name: "a wrong Bearer token", send: () => post(event("k6"), { ...ndjson, authorization: "Bearer nope" }), status: 403, reason: { error: "forbidden" } },
  { name: "the metrics key on the ingest route", send: () => post(event("k7"), { ...ndjson, "x-api-key": platform.metricsApiKey }), status: 403, reason: { error: "forbidden" } },
  {
    name: "a second x-api-key header smuggling the key after a wrong one",
    send: async () => ({ status: await raw(`POST /v1/events HTTP/1.1\r\nHost: x\r\nx-api-key: wrong\r\nx-api-key: ${key()}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${Buffer.byteLength(event("h1"))}\r\nConnection: close\r\n\r\n${event("h1")}`) }),
    status: 403,
  },
  {
    name: "a header value with a bare CR (header injection)",
    send: async () => ({ status: await raw(`POST /v1/events HTTP/1.1\r\nHost: x\r\nx-api-key: ${key()}\rX-Injected: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`) }),
    status: 400,
  },
  {
    name: "headers over API Gateway's 10,240 bytes",
    send: async () => ({ status: await raw(`POST /v1/events HTTP/1.1\r\nHost: x\r\nx-api-key: ${key()}\r\nX-Pad: ${"p".repeat(11_000)}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`) }),
    status: 431,
  },
  {
    name: "a body over the 5 MiB ingest limit",
    send: () => post(Buffer.alloc(5 * MiB + 1, 0x20), { ...json, "x-api-key": key() }),
    status: 413,
    reason: { error: "payload_too_large", limit: "body" },
  },
  {
    name: "a body over API Gateway's 10 MB payload limit",
    send: () => post(Buffer.alloc(10 * MiB + 1, 0x20), { ...json, "x-api-key": key() }),
    status: 413,
    reason: { message: "Request Entity Too Large" },
  },
  {
    name: "one event over the event limit",
    send: () => post(`${event("big-next")}\n${JSON.stringify({ event_id: "big", pad: "x".repeat(2 * MiB) })}`, { ...ndjson, "x-api-key": key() }),
    status: 413,
    reason: { error: "payload_too_large", limit: "event" },
  },
  {
    name: "10,001 events",
    send: () => post(Array.from({ length: 10_001 }, (_, i) => event(`many-${i}`)).join("\n"), { ...ndjson, "x-api-key": key() }),
    status: 413,
    reason: { error: "payload_too_large", limit: "count" },
  },
  {
    name: "a JSON array nested 10,000 deep",
    send: () => post(`[{"event_id":"deep","properties":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}]`, { ...json, "x-api-key": key() }),
    status: 400,
    reason: { error: "malformed_json" },
  },
  {
    name: "a JSON array with invalid UTF-8",
    send: () => post(Buffer.concat([Buffer.from('[{"event_id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]')]), { ...json, "x-api-key": key() }),
    status: 400,
    reason: { error: "invalid_encoding" },
  },
  { name: "a truncated JSON array", send: () => post('[{"event_id":"t",', { ...json, "x-api-key": key() }), status: 400, reason: { error: "malformed_json" } },
  { name: "an empty body", send: () => post(" \n\t", { ...json, "x-api-key": key() }), status: 400, reason: { error: "empty_body" } },
];

describe("hostile requests on POST /v1/events", () => {
  // First, while this process's peak is still the platform's: the bomb's cost shows in the peak.
  it("a 4 MB JSON array of two million 0s is refused 413 (count) within a bounded memory peak", async () => {
    const body = `[${"0,".repeat(1_999_999)}0]`;
    const before = peakBytes();
    const res = await post(body, { ...json, "x-api-key": key() });
    expect(res).toMatchObject({ status: 413, body: { error: "payload_too_large", limit: "count" } });
    // The request, its string and its Buffer copy are a few tens of MB; splitting it cost ~800 MB.
    expect(peakBytes() - before).toBeLessThan(96 * MiB);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const { status, body } = await c.send();
    expect(status).toBe(c.status);
    if (c.reason) expect(body).toMatchObject(c.reason);
  });

  it("wrote nothing: no record on the stream, no object in the lake, nothing accepted", async () => {
    await platform.waitForIdle();
    expect(platform.accepted()).toBe(0);
    expect(await streamRecords()).toBe(0);
    expect(await lakeObjects()).toBe(0);
  });

  it("still takes a good request afterwards (the checks above can see a write)", async () => {
    expect((await post(event("good"), { ...ndjson, "x-api-key": key() })).status).toBe(202);
    await platform.waitForIdle();
    expect(await streamRecords()).toBe(1);
    expect(await lakeObjects()).toBeGreaterThan(0);
  });
});
