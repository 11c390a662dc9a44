import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { lambdaContext } from "../../packages/local/src/lambda/context.ts";
import { kinesisBatch } from "./fixtures.ts";
import { opsPerSecond } from "./measure.ts";

/**
 * What a transformer Lambda container does, alone in its process so that its peak RSS is the
 * handler's: the real handler on 500-record batches, writing to the S3 endpoint the parent runs
 * (AWS_ENDPOINT_URL).
 */
Object.assign(process.env, {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "bench" }),
  SST_RESOURCE_Lake: JSON.stringify({ name: "bench-lake" }),
  POWERTOOLS_METRICS_DISABLED: "true",
  POWERTOOLS_LOG_LEVEL: "ERROR",
});
const s3 = new S3Client({});
await s3.send(new CreateBucketCommand({ Bucket: "bench-lake" }));
s3.destroy();
const { handler } = await import("@freshet/functions/transformer");
const context = lambdaContext({ name: "bench-transformer", memoryMb: 256, timeoutMs: 60_000 });

// Prepared up front so that generating traffic is not part of the measurement.
const pool = Array.from({ length: 8 }, (_, i) => kinesisBatch(500, i, 1n + BigInt(i) * 500n));
let batches = 0;
const batchesPerSecond = await opsPerSecond(async () => {
  await handler(pool[batches % pool.length] as (typeof pool)[number], context);
  batches += 1;
}, 3000);
process.stdout.write(JSON.stringify({ batchesPerSecond, maxRssMb: process.resourceUsage().maxRSS / 1024, batches }));
