import { BufferPool, DEFAULT_PIPELINE_CONFIG, heapNodeOptions, planBatch, TRANSFORMER_FUNCTION, transformerHeap } from "@freshet/core";
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
import { lambdaNodeFlags } from "./lambda-node.ts";
import { compareOpsPerSecond, format } from "./measure.ts";
import { streamBatchesOf } from "../../packages/functions/src/transformer/stream-batches.ts";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

interface ChildResult {
  readonly batchesPerSecond: number;
  readonly maxRssMb: number;
  readonly loadedRssMb: number;
  readonly batches: number;
}

/**
 * The transformer's three targets, measured side by side in this run:
 * throughput against bare JSON.parse + JSON.stringify of the same records (goal ratio ≥ 0.5),
 * peak RSS of a process running the real handler (goal < 100 MB), minified bundle (goal < 250 KB).
 */
export async function benchTransformer(): Promise<void> {
  const event = kinesisBatch(500);
  const records = event.Records.length;

  const bareJson = (): void => {
    for (const r of event.Records) {
      try {
        JSON.stringify(JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")));
      } catch {
        // the batch's few malformed events cost the baseline its parse attempt, as they cost us
      }
    }
  };
  // As the handler runs it: bodies are built in pooled buffers, given back once a batch is
  // written (here: at once, there being nothing to write).
  const pool = new BufferPool();
  const planned = (): void => {
    for (const batch of streamBatchesOf(event.Records)) planBatch(batch, DEFAULT_PIPELINE_CONFIG, { pool }).release();
  };
  const [baseline = 0, stages = 0] = await compareOpsPerSecond([bareJson, planned], 4000, 250);
  // As deployed (stacks/ingest.ts); FRESHET_BENCH_TRANSFORMER_NODE_OPTIONS tries others ("" for Lambda's defaults).
  const nodeOptions = process.env.FRESHET_BENCH_TRANSFORMER_NODE_OPTIONS ?? heapNodeOptions(transformerHeap(TRANSFORMER_FUNCTION.memoryMb));
  const { handler, floor } = await inChildProcesses(nodeOptions);

  const bundled = await bundleSize(["@aws-sdk/*"]);
  const withSdk = await bundleSize([]);

  console.log("\nTransformer (500-record batch)");
  console.log(`  bare JSON.parse + JSON.stringify   ${format(baseline * records)} events/s`);
  console.log(`  validation stages + objects (core) ${format(stages * records)} events/s   ratio ${format(stages / baseline, 2)} (goal ≥ 0.5)`);
  console.log(
    `  whole handler, gzip + PutObject to the embedded S3 ${format(handler.batchesPerSecond * records)} events/s   ratio ${format(handler.batchesPerSecond / baseline, 2)}`,
  );
  console.log(
    `  peak RSS of the handler process (${handler.batches} batches, ${TRANSFORMER_FUNCTION.memoryMb} MB, NODE_OPTIONS "${nodeOptions}")   ${format(handler.maxRssMb, 1)} MB (goal < 100 MB)`,
  );
  console.log(
    `    same process and events, handler that only loads the S3 client   ${format(floor.maxRssMb, 1)} MB (${format(floor.loadedRssMb, 1)} MB once loaded)`,
  );
  console.log(`  minified bundle, AWS SDK from the runtime  ${format(bundled / 1024, 1)} KB (goal < 250 KB; as deployed)`);
  console.log(`  minified bundle, AWS SDK bundled too       ${format(withSdk / 1024, 1)} KB`);
}

/**
 * The handler runs bundled, alone in a child process (the S3 endpoint stays here), so its peak
 * RSS is what a Lambda container would hold; an empty handler in the same harness shows the floor.
 */
async function inChildProcesses(nodeOptions: string): Promise<{ handler: ChildResult; floor: ChildResult }> {
  const work = await mkdtemp(join(tmpdir(), "freshet-bench-"));
  const endpoint = await startEndpoint({ services: [createS3Service({ dataDir: join(work, "data") })] });
  try {
    const s3 = new S3Client({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" } });
    await s3.send(new CreateBucketCommand({ Bucket: "bench-lake" }));
    s3.destroy();
    const batchFiles: string[] = [];
    for (let i = 0; i < 8; i++) {
      const file = join(work, `batch-${i}.json`);
      await writeFile(file, JSON.stringify(kinesisBatch(500, i, 1n + BigInt(i) * 500n)));
      batchFiles.push(file);
    }
    const run = async (entry: string, name: string, invocations = 0): Promise<ChildResult> => {
      // Inside the repository so that the runtime-provided @aws-sdk/* resolve from node_modules.
      const bundle = join(root, "node_modules", ".cache", "freshet-bench", `${name}.mjs`);
      await build({ ...BUNDLE_OPTIONS, entryPoints: [entry], external: ["@aws-sdk/*"], outfile: bundle, write: true });
      const child = fileURLToPath(new URL("./transformer-process.mjs", import.meta.url));
      const { stdout } = await execFileAsync(process.execPath, [...lambdaNodeFlags(TRANSFORMER_FUNCTION.memoryMb, nodeOptions), child, bundle, ...batchFiles], {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: endpoint.url,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "bench",
          AWS_SECRET_ACCESS_KEY: "bench",
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(TRANSFORMER_FUNCTION.memoryMb),
          BENCH_INVOCATIONS: String(invocations),
          SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "bench" }),
          SST_RESOURCE_Lake: JSON.stringify({ name: "bench-lake" }),
          POWERTOOLS_METRICS_DISABLED: "true",
          POWERTOOLS_LOG_LEVEL: "ERROR",
        },
      });
      return JSON.parse(stdout) as ChildResult;
    };
    const handler = await run(`${root}packages/functions/src/transformer.ts`, "transformer");
    const floor = await run(fileURLToPath(new URL("./empty-handler.ts", import.meta.url)), "empty-handler", handler.batches);
    return { handler, floor };
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
