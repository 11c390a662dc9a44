import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEndpoint, type RunningEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { ObjectIndex } from "../../packages/local/src/s3/store/object-index.ts";
import type { ObjectMeta } from "../../packages/local/src/s3/store/object-meta.ts";
import { againstGoal, format } from "./measure.ts";

const PREFIX = "processed/dt=2026-11-26/hr=05/";
const KEYS = 10_000;
const BIG = 400;
/** The service's share of a 10k-key listing must be well under a second. */
const RAW_LIST_GOAL = { op: "<", limit: 800, unit: "ms" } as const;
/** The SDK's XML parsing adds its own time and, on a shared 2-core machine, noise: a loose bound. */
const SDK_LIST_GOAL = { op: "<", limit: 3000, unit: "ms" } as const;
const BIG_RATE_GOAL = { op: ">", limit: 50, unit: "ops/s" } as const;
/** A lake a long `npm start` reaches (about an hour at 10,000 events/s), against a small one. */
const GROWN_KEYS = 1_000_000;
const SMALL_KEYS = 10_000;
/** What an insert into the grown index may cost against the small one: the order is a tree. */
const GROWTH_GOAL = { op: "<", limit: 3, unit: "×" } as const;

interface Running {
  readonly endpoint: RunningEndpoint;
  readonly client: S3Client;
  stop(): Promise<void>;
}

/**
 * The embedded S3 service: 100 KB objects put and got through the SDK (side by side with plain
 * HTTP, the service's own share), 10,000 small objects under one prefix, and that prefix listed
 * through the SDK and over plain HTTP, before and after a restart (which reloads the index).
 */
export async function benchS3(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-s3-"));
  let s3 = await start(dataDir);
  try {
    await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
    const body = randomBytes(100 * 1024);
    const client = s3.client;
    const url = s3.endpoint.url;
    const putRate = await throughput(BIG, 8, (i) => client.send(new PutObjectCommand({ Bucket: "lake", Key: `big/${i}`, Body: body })));
    const getRate = await throughput(BIG, 8, async (i) => {
      const out = await client.send(new GetObjectCommand({ Bucket: "lake", Key: `big/${i}` }));
      if ((await out.Body!.transformToByteArray()).length !== body.length) throw new Error("short read");
    });
    const rawGetRate = await throughput(BIG, 8, async (i) => {
      if ((await raw(url, "GET", `/lake/big/${i}`)).body.length !== body.length) throw new Error("short read");
    });
    const rawPutRate = await throughput(BIG, 8, async (i) => {
      const out = await raw(url, "PUT", `/lake/big/${i}`, body);
      if (out.status !== 200) throw new Error(out.body.toString("utf8"));
    });
    const smallRate = await throughput(KEYS, 16, (i) =>
      client.send(new PutObjectCommand({ Bucket: "lake", Key: `${PREFIX}part-${String(i).padStart(5, "0")}.ndjson.gz`, Body: "x" })),
    );
    const warm = await listAll(client);
    const rawList = await listAllRaw(url);

    await s3.stop();
    s3 = await start(dataDir);
    const cold = await listAll(s3.client);
    const again = await listAll(s3.client);
    for (const listing of [warm, rawList, cold, again]) if (listing.keys !== KEYS) throw new Error(`listed ${listing.keys} keys, expected ${KEYS}`);

    console.log(`\nS3 (embedded service, ${BIG} objects of 100 KB with 8 in flight, ${format(KEYS)} keys under one prefix)`);
    console.log(`  PutObject 100 KB ${againstGoal(putRate, BIG_RATE_GOAL)}   plain HTTP PUT ${format(rawPutRate)} ops/s`);
    console.log(`  GetObject 100 KB ${againstGoal(getRate, BIG_RATE_GOAL)}   plain HTTP GET ${format(rawGetRate)} ops/s`);
    console.log(`  PutObject 1 B ${format(smallRate)} ops/s (16 in flight)`);
    console.log(`  ListObjectsV2 ${format(KEYS)} keys (10 pages) over plain HTTP ${againstGoal(rawList.ms, RAW_LIST_GOAL)}`);
    console.log(`    through the SDK ${againstGoal(warm.ms, SDK_LIST_GOAL)}, after a restart ${againstGoal(again.ms, SDK_LIST_GOAL)}`);
    console.log(`    first listing after the restart (loads the index) ${format(cold.ms)} ms`);
    const small = indexInsertMicros(SMALL_KEYS);
    const grown = indexInsertMicros(GROWN_KEYS);
    console.log(
      `  index insert (a new lake key among the others): ${format(small, 1)} µs at ${format(SMALL_KEYS)} keys, ${format(grown, 1)} µs at ${format(GROWN_KEYS)} keys; ` +
        `ratio ${againstGoal(grown / small, GROWTH_GOAL, 1)}`,
    );
  } finally {
    await s3.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function start(dataDir: string): Promise<Running> {
  const endpoint = await startEndpoint({ services: [createS3Service({ dataDir })] });
  const client = new S3Client({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });
  let stopped = false;
  return {
    endpoint,
    client,
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      await endpoint.close();
    },
  };
}

/** Runs `task(0..count-1)` with `width` in flight; returns operations per second. */
async function throughput(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function listAll(client: S3Client): Promise<{ keys: number; ms: number }> {
  const started = performance.now();
  let keys = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: PREFIX, ContinuationToken: token }));
    keys += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return { keys, ms: performance.now() - started };
}

/** Lists over plain HTTP: what the service costs, without the SDK's XML parsing. */
async function listAllRaw(url: string): Promise<{ keys: number; ms: number }> {
  const started = performance.now();
  let keys = 0;
  let token: string | undefined;
  do {
    const query = `list-type=2&prefix=${encodeURIComponent(PREFIX)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`;
    const text = (await raw(url, "GET", `/lake?${query}`)).body.toString("utf8");
    keys += Number(/<KeyCount>(\d+)<\/KeyCount>/.exec(text)?.[1]);
    token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(text)?.[1];
  } while (token);
  return { keys, ms: performance.now() - started };
}

/** One unsigned HTTP/1.1 request (the embedded S3 accepts them), with the body read whole. */
function raw(url: string, method: string, path: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await benchS3();

/**
 * µs per insert of new keys into a bucket index already holding `existing` keys, the way a lake
 * grows: each batch adds a key under several prefixes (dead letters, processed, raw, receipts),
 * so most inserts land among the keys, not at the end.
 */
function indexInsertMicros(existing: number): number {
  const index = new ObjectIndex();
  const prefixes = ["dlq/dt=2026-12-07/reason=schema_violation/", "processed/dt=2026-12-07/hr=10/", "raw/dt=2026-12-07/hr=10/", "receipts/dt=2026-12-07/hr=10/"];
  const keyOf = (i: number) => `${prefixes[i % prefixes.length]}shardId-000000000000-${String(49_650_000_000 + Math.floor(i / prefixes.length)).padStart(20, "0")}.ndjson.gz`;
  const add = (i: number) => index.set({ meta: { key: keyOf(i) } as ObjectMeta, file: "" });
  for (let i = 0; i < existing; i++) add(i);
  const measured = 20_000;
  const started = performance.now();
  for (let i = existing; i < existing + measured; i++) add(i);
  return ((performance.now() - started) * 1000) / measured;
}
