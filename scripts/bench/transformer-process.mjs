// What a transformer Lambda container does, alone in its process so its peak RSS is the
// handler's: the bundled handler (as deployed, plain JavaScript, no TypeScript loader) on the
// 500-record batches the parent prepared, writing to the S3 endpoint the parent runs. The parent
// starts it with Lambda's heap flags (see lambda-node.ts).
// argv: <bundle.mjs> <batch.json>...; BENCH_INVOCATIONS=n runs exactly n invocations instead of
// a warm-up and a timed run (to compare another handler over the same number of batches).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, ...batchFiles] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const loadedRssMb = process.memoryUsage().rss / 1024 / 1024;
const context = {
  functionName: "bench-transformer",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 60_000,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "256",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bench-transformer",
};

// Each invocation's event arrives as JSON text and is parsed then, as Lambda's runtime client
// does with what the Runtime API sends; keeping every event parsed in memory for the whole run
// would add megabytes no container holds.
const eventOf = (i) => JSON.parse(readFileSync(batchFiles[i % batchFiles.length], "utf8"));

let batches = 0;
const run = async (ms) => {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    await handler(eventOf(batches), context);
    batches += 1;
    n += 1;
  }
  return (n * 1000) / (performance.now() - start);
};
let batchesPerSecond = 0;
const invocations = Number(process.env.BENCH_INVOCATIONS ?? 0);
if (invocations > 0) {
  while (batches < invocations) {
    await handler(eventOf(batches), context);
    batches += 1;
  }
} else {
  await run(750); // warm-up
  batchesPerSecond = await run(3000);
}
process.stdout.write(JSON.stringify({ batchesPerSecond, maxRssMb: process.resourceUsage().maxRSS / 1024, loadedRssMb, batches }));
