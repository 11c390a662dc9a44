import { DEFAULT_PIPELINE_CONFIG, planBatch } from "@freshet/core";
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
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
    for (const r of event.Records) JSON.stringify(JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")));
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

/** The handler runs alone in a child process (the S3 endpoint stays here), so its peak RSS is its own. */
async function inChildProcess(): Promise<{ batchesPerSecond: number; maxRssMb: number; batches: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-"));
  const endpoint = await startEndpoint({ services: [createS3Service({ dataDir })] });
  try {
    const { stdout } = await execFileAsync(process.execPath, [fileURLToPath(new URL("./transformer-process.ts", import.meta.url))], {
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint.url },
    });
    return JSON.parse(stdout);
  } finally {
    await endpoint.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function bundleSize(external: string[]): Promise<number> {
  const result = await build({
    entryPoints: [`${root}packages/functions/src/transformer.ts`],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node24",
    external,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
}
