import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { triageDoneKey } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forEachLimited } from "../../packages/functions/src/shared/for-each-limited.ts";
import { findUnhandled } from "../../packages/functions/src/triage/find-unhandled.ts";
import { startEndpoint } from "../../packages/local/src/endpoint/server.ts";
import { createS3Service } from "../../packages/local/src/s3/index.ts";
import { format } from "./measure.ts";

const BUCKET = "bench-triage-find";

export interface TriageFindBench {
  /** Dead-letter objects in the lake, all but `fresh` with a done marker. */
  readonly history: number;
  readonly fresh: number;
  /** The first Find after an upgrade (no watermark yet): every key, once. */
  readonly firstListCalls: number;
  readonly firstKeysListed: number;
  /** A Find started by a landing dead letter afterwards: from the watermark (yesterday) on. */
  readonly listCalls: number;
  readonly keysListed: number;
  readonly milliseconds: number;
}

/**
 * Find's cost against a lake with `days` days of triaged dead letters (`perDay` objects a day, a
 * done marker each) and `fresh` new ones today: ListObjectsV2 calls, keys listed and time of the
 * Find an execution started by a landing dead letter makes. Its cost should follow the days with
 * work (today, yesterday, and any day with an object not done), not all history.
 */
export async function benchTriageFind(days = 30, perDay = 150, fresh = 40): Promise<TriageFindBench> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-triage-find-"));
  const endpoint = await startEndpoint({ services: [createS3Service({ dataDir })] });
  const s3 = new S3Client({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, forcePathStyle: true });
  let listCalls = 0;
  let keysListed = 0;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === "ListObjectsV2Command") {
        listCalls += 1;
        keysListed += (out.output as { KeyCount?: number }).KeyCount ?? 0;
      }
      return out;
    },
    { step: "initialize", name: "countLists" },
  );
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const now = new Date();
    const day = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString().slice(0, 10);
    const key = (d: number, i: number) => `dlq/dt=${day(d)}/reason=schema_violation/shardId-000000000000-${String(i).padStart(8, "0")}.ndjson.gz`;
    const writes: string[] = [];
    for (let d = days; d >= 1; d--) for (let i = 0; i < perDay; i++) writes.push(key(d, i), triageDoneKey(key(d, i)));
    for (let i = 0; i < fresh; i++) writes.push(key(0, i));
    await forEachLimited(writes, 16, async (k) => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: "x" }));
    });

    const find = (executionName: string) => findUnhandled(s3, BUCKET, { maxObjects: 200, now, lookbackDays: 1, executionName });
    await find("first");
    const first = { listCalls, keysListed };
    await forEachLimited(Array.from({ length: fresh }, (_, i) => i), 16, async (i) => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: triageDoneKey(key(0, i)), Body: "x" }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(0, fresh + i), Body: "x" }));
    });
    listCalls = 0;
    keysListed = 0;
    const t0 = performance.now();
    const found = await find("second");
    const milliseconds = performance.now() - t0;
    const result: TriageFindBench = {
      history: days * perDay,
      fresh,
      firstListCalls: first.listCalls,
      firstKeysListed: first.keysListed,
      listCalls,
      keysListed,
      milliseconds,
    };
    console.log(
      `  Find over ${format(days)} days of triaged history (${format(result.history)} objects) + ${format(fresh)} new: ` +
        `${format(listCalls)} ListObjectsV2, ${format(keysListed)} keys listed, ${format(milliseconds)} ms, ${format(found.objects.length)} found ` +
        `(first Find, no watermark yet: ${format(first.listCalls)} ListObjectsV2, ${format(first.keysListed)} keys)`,
    );
    return result;
  } finally {
    s3.destroy();
    await endpoint.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
