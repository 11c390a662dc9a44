// What a transformer Lambda container does, alone in its process so its peak RSS is the
// handler's: the bundled handler (as deployed, plain JavaScript, no TypeScript loader) on the
// 500-record batches the parent prepared, writing to the S3 endpoint the parent runs.
// argv: <bundle.mjs> <batches.json>
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [bundle, batchesFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const pool = JSON.parse(await readFile(batchesFile, "utf8"));
const context = {
  functionName: "bench-transformer",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 60_000,
  memoryLimitInMB: "256",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bench-transformer",
};

let batches = 0;
const run = async (ms) => {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    await handler(pool[batches % pool.length], context);
    batches += 1;
    n += 1;
  }
  return (n * 1000) / (performance.now() - start);
};
await run(750); // warm-up
const batchesPerSecond = await run(3000);
process.stdout.write(JSON.stringify({ batchesPerSecond, maxRssMb: process.resourceUsage().maxRSS / 1024, batches }));
