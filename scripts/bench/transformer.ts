import { DEFAULT_PIPELINE_CONFIG, planBatch } from "@freshet/core";
import { build, type BuildOptions } from "esbuild";
import { execFile } from "node:child_process";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { fileURLToPath } from "node:url";
import { kinesisBatch } from "./fixtures.ts";
import { format, opsPerSecond } from "./measure.ts";
import { streamBatchesOf } from "../../packages/functions/src/transformer/stream-batches.ts";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The transformer's three targets, measured side by side in this run:
 * throughput against bare JSON.parse + JSON.stringify of the same records (goal ratio ≥ 0.5),
 * peak RSS of a process running the real handler (goal < 100 MB), minified bundle (goal < 250 KB).
 */
export async function benchTransformer(): Promise<void> {
  const event = kinesisBatch(500);
  const records = event.Records.length;

  const baseline = await opsPerSecond(() => {
    for (const r of event.Records) {
      try {
        JSON.stringify(JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")));
      } catch {
        // the batch's few malformed events cost the baseline its parse attempt, as they cost us
      }
    }
  });
  const stages = await opsPerSecond(() => {
    for (const batch of streamBatchesOf(event.Records)) planBatch(batch, DEFAULT_PIPELINE_CONFIG);
  });
  const handler = await inChildProcess();

  const bundled = await bundleSize(["@aws-sdk/*"]);
  const withSdk = await bundleSize([]);

  console.log("\nTransformer (500-record batch)");
  console.log(`  bare JSON.parse + JSON.stringify   ${format(baseline * records)} events/s`);
  console.log(`  validation stages + objects (core) ${format(stages * records)} events/s   ratio ${format(stages / baseline, 2)} (goal ≥ 0.5)`);
  console.log(
    `  whole handler, gzip + PutObject to the embedded S3 ${format(handler.batchesPerSecond * records)} events/s   ratio ${format(handler.batchesPerSecond / baseline, 2)}`,
  );
  console.log(`  peak RSS of the handler process (${handler.batches} batches)   ${format(handler.maxRssMb, 1)} MB (goal < 100 MB)`);
  console.log(`  minified bundle, AWS SDK from the runtime  ${format(bundled / 1024, 1)} KB (goal < 250 KB; as deployed)`);
  console.log(`  minified bundle, AWS SDK bundled too       ${format(withSdk / 1024, 1)} KB`);
}

/**
 * The handler runs bundled, alone in a child process (the S3 endpoint stays here), so its peak
 * RSS is what a Lambda container would hold.
 */
async function inChildProcess(): Promise<{ batchesPerSecond: number; maxRssMb: number; batches: number }> {
  const work = await mkdtemp(join(tmpdir(), "freshet-bench-"));
  const endpoint = await startEndpoint({ services: [createS3Service({ dataDir: join(work, "data") })] });
  try {
    const s3 = new S3Client({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" } });
    await s3.send(new CreateBucketCommand({ Bucket: "bench-lake" }));
    s3.destroy();
    // Inside the repository so that the runtime-provided @aws-sdk/* resolve from node_modules.
    const bundle = join(root, "node_modules", ".cache", "freshet-bench", "transformer.mjs");
    await build({ ...BUNDLE_OPTIONS, external: ["@aws-sdk/*"], outfile: bundle, write: true });
    const batches = join(work, "batches.json");
    await writeFile(batches, JSON.stringify(Array.from({ length: 8 }, (_, i) => kinesisBatch(500, i, 1n + BigInt(i) * 500n))));
    const { stdout } = await execFileAsync(process.execPath, [fileURLToPath(new URL("./transformer-process.mjs", import.meta.url)), bundle, batches], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: endpoint.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "bench",
        AWS_SECRET_ACCESS_KEY: "bench",
        SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "bench" }),
        SST_RESOURCE_Lake: JSON.stringify({ name: "bench-lake" }),
        POWERTOOLS_METRICS_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: "ERROR",
      },
    });
    return JSON.parse(stdout);
  } finally {
    await endpoint.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** As `stacks/lambda.ts` deploys it: minified ESM for Node 24. */
const BUNDLE_OPTIONS: BuildOptions = {
  entryPoints: [`${root}packages/functions/src/transformer.ts`],
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node24",
  logLevel: "silent",
};

async function bundleSize(external: string[]): Promise<number> {
  const result = await build({ ...BUNDLE_OPTIONS, external, write: false });
  return (result.outputFiles ?? []).reduce((n, f) => n + f.contents.byteLength, 0);
}
