import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient, type DescribeStatementCommandOutput } from "@aws-sdk/client-redshift-data";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createRedshiftDataService } from "../../packages/local/src/redshift/index.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { againstGoal, format } from "./measure.ts";

const BUCKET = "lake";
const FILES = 4;
const PER_FILE = 50_000;
const EVENTS = FILES * PER_FILE;
const GOAL = { op: "<", limit: 10, unit: "s" } as const;
const TARGET = { WorkgroupName: "freshet", Database: "dev" } as const;
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
const TABLE = `CREATE TABLE big (
  event_id VARCHAR(64) NOT NULL, event_type VARCHAR(64), occurred_at TIMESTAMP, revenue DECIMAL(12,2),
  user_id VARCHAR(64), properties SUPER) DISTKEY(user_id) SORTKEY(occurred_at)`;

/**
 * The local Data API's COPY … MANIFEST FORMAT AS JSON 'auto' GZIP of 200,000 events in four
 * files, side by side: reading each file through the S3 API, and reading the embedded S3's files
 * in place (as the local platform wires it).
 */
export async function benchCopy(): Promise<void> {
  console.log(`\nRedshift COPY (local Data API on DuckDB, ${format(EVENTS)} events in ${FILES} gzip NDJSON files named by a manifest)`);
  for (const inPlace of [false, true]) {
    const seconds = await timeCopy(inPlace);
    const how = inPlace ? "reading the embedded S3's files in place" : "through the S3 API";
    console.log(`  ${how.padEnd(42)}${againstGoal(seconds, GOAL, 2)}   ${format(EVENTS / seconds)} rows/s`);
  }
}

/** Seconds one COPY of the events takes, from ExecuteStatement to FINISHED. */
async function timeCopy(inPlace: boolean): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-copy-"));
  let url = "";
  const s3Service = createS3Service({ dataDir });
  const redshift = createRedshiftDataService({
    dataDir,
    s3: { endpointUrl: () => url },
    ...(inPlace ? { objectFile: (bucket: string, key: string) => s3Service.objectFile(bucket, key) } : {}),
  });
  const endpoint = await startEndpoint({ services: [redshift, s3Service] });
  url = endpoint.url;
  const client = new RedshiftDataClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
  const s3 = new S3Client({ endpoint: url, region: "us-east-1", credentials, forcePathStyle: true });
  try {
    await writeLake(s3);
    await run(client, TABLE);
    const started = performance.now();
    const done = await run(
      client,
      `COPY big FROM 's3://${BUCKET}/manifests/big.json' IAM_ROLE 'arn:aws:iam::000000000000:role/Copy' MANIFEST FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'`,
    );
    const seconds = (performance.now() - started) / 1000;
    if (done.ResultRows !== EVENTS) throw new Error(`COPY loaded ${done.ResultRows} rows, expected ${EVENTS}`);
    return seconds;
  } finally {
    client.destroy();
    s3.destroy();
    await endpoint.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function writeLake(s3: S3Client): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const keys: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const key = `processed/big/${f}.ndjson.gz`;
    const lines = Array.from({ length: PER_FILE }, (_, n) => JSON.stringify(event(f * PER_FILE + n)));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(`${lines.join("\n")}\n`) }));
    keys.push(key);
  }
  const manifest = { entries: keys.map((k) => ({ url: `s3://${BUCKET}/${k}`, mandatory: true, meta: { content_length: 1 } })) };
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "manifests/big.json", Body: JSON.stringify(manifest) }));
}

function event(n: number): Record<string, unknown> {
  return {
    event_id: `e-${n}`,
    event_type: n % 2 ? "purchase" : "page_view",
    occurred_at: new Date(Date.UTC(2026, 10, 26, 5, 0, n % 60)).toISOString(),
    revenue: n % 2 ? 10.5 : null,
    user_id: `u-${n % 100}`,
    properties: { plan: "pro", n },
    ignored_key: "not a column",
  };
}

/** Runs one statement to its end; throws unless it FINISHED. */
async function run(client: RedshiftDataClient, sql: string): Promise<DescribeStatementCommandOutput> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: sql }));
  for (;;) {
    const out = await client.send(new DescribeStatementCommand({ Id }));
    if (out.Status === "FINISHED") return out;
    if (out.Status === "FAILED" || out.Status === "ABORTED") throw new Error(`${out.Status}: ${out.Error}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCopy();
