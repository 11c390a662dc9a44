import { BatchExecuteStatementCommand, DescribeStatementCommand, type RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { buildLoadStatements, maintainRollups, recountAttributionDays, type LoadObject } from "@freshet/core";
import { gzipSync } from "node:zlib";

const BUCKET = "freshet-bench-lake";
const ROLE = "arn:aws:iam::123456789012:role/freshet-bench-WarehouseCopyRole";
const OBJECTS = 10;
const FEATURES = 12;

export interface LoadTiming {
  readonly totalMs: number;
  /** Sum of the rollup maintenance sub-statements' engine durations (0 when left out). */
  readonly rollupMs: number;
  /** The slowest rollup statements: their first line and engine milliseconds. */
  readonly slowest: readonly (readonly [string, number])[];
}

/**
 * `rows` new events in the last `minutes` minutes, shaped like the bench's 10 M (200,000 users,
 * 20,000 accounts, ~38 % with a campaign, 15 % feature uses, 5 % purchases), as gzip NDJSON
 * objects the way the transformer writes them.
 */
function lakeObjects(rows: number, seed: string, end: Date, minutes: number): { key: string; body: Buffer }[] {
  const lines: string[][] = Array.from({ length: OBJECTS }, () => []);
  for (let i = 0; i < rows; i++) {
    const r = (n: number) => Math.floor(((Math.sin(i * 12.9898 + n * 78.233) * 43758.5453) % 1 + 1) % 1 * 1_000_000);
    const k = r(1) % 100;
    const type = k < 55 ? "page_view" : k < 70 ? "feature_used" : k < 82 ? "ad_click" : k < 85 ? "signup" : k < 87 ? "trial_started" : k < 92 ? "purchase" : "session_start";
    const u = Math.floor((r(2) / 1_000_000) ** 1.3 * 200_000);
    const attributed = r(3) % 100 < 30 || type === "ad_click";
    const c = Math.floor((r(4) / 1_000_000) ** 2 * 20);
    const occurred = new Date(end.getTime() - (r(5) / 1_000_000) * minutes * 60_000);
    const event = {
      event_id: `${seed}-${i}`,
      event_type: type,
      occurred_at: occurred.toISOString(),
      received_at: new Date(occurred.getTime() + 2000).toISOString(),
      user_id: `u-${u}`,
      account_id: `a-${u % 20_000}`,
      campaign_id: attributed ? `c-${c}` : null,
      ad_group_id: attributed ? `c-${c}-g${r(6) % 3}` : null,
      ad_id: attributed ? `c-${c}-g${r(6) % 3}-ad${r(7) % 2}` : null,
      keyword: attributed ? `kw-${r(8) % 5}` : null,
      channel: attributed ? ["paid_search", "paid_social", "display"][r(9) % 3] : ["direct", "organic", "email", "referral"][r(9) % 4],
      revenue: type === "purchase" ? 5 + (r(10) % 49_500) / 100 : null,
      currency: type === "purchase" ? "USD" : null,
      properties: type === "feature_used" ? { feature: `feature-${r(11) % FEATURES}` } : {},
      source_schema_version: 2,
      schema_version: 1,
    };
    lines[i % OBJECTS]!.push(JSON.stringify(event));
  }
  const hour = end.toISOString().slice(0, 13);
  return lines.map((l, n) => ({ key: `processed/dt=${hour.slice(0, 10)}/hr=${hour.slice(11, 13)}/${seed}-${n}.ndjson.gz`, body: gzipSync(l.join("\n") + "\n") }));
}

/**
 * One load of `rows` new events through `buildLoadStatements` (COPY from the local S3 and all),
 * with or without the rollup maintenance statements: the load's cost of keeping the rollups.
 */
export async function timeLoad(client: RedshiftDataClient, target: { WorkgroupName: string; Database: string }, endpointUrl: string, options: { rows: number; seed: string; withRollups: boolean }): Promise<LoadTiming> {
  const s3 = new S3Client({ endpoint: endpointUrl, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    const objects: LoadObject[] = [];
    for (const o of lakeObjects(options.rows, options.seed, new Date(), 10)) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: o.key, Body: o.body }));
      objects.push({ key: o.key, sizeBytes: o.body.length });
    }
    const manifestKey = `manifests/${options.seed}.json`;
    const manifest = { entries: objects.map((o) => ({ url: `s3://${BUCKET}/${o.key}`, mandatory: true, meta: { content_length: o.sizeBytes } })) };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: manifestKey, Body: JSON.stringify(manifest) }));
    const maintenance = new Set([...maintainRollups("load_new", "since-earliest-change"), ...recountAttributionDays("load_new")]);
    const all = buildLoadStatements({ loadId: options.seed, manifestUrl: `s3://${BUCKET}/${manifestKey}`, iamRoleArn: ROLE, objects, startedAt: new Date() });
    const sqls = options.withRollups ? all : all.filter((s) => !maintenance.has(s));
    const t0 = performance.now();
    const { Id } = await client.send(new BatchExecuteStatementCommand({ ...target, Sqls: sqls }));
    for (;;) {
      const out = await client.send(new DescribeStatementCommand({ Id }));
      if (out.Status === "FAILED" || out.Status === "ABORTED") throw new Error(`load ${out.Status}: ${out.Error}`);
      if (out.Status === "FINISHED") {
        const totalMs = performance.now() - t0;
        const rollup = (out.SubStatements ?? []).filter((s) => maintenance.has(s.QueryString ?? "")).map((s) => [s.QueryString!.split("\n")[0]!, (s.Duration ?? 0) / 1e6] as const);
        const rollupMs = rollup.reduce((sum, [, ms]) => sum + ms, 0);
        return { totalMs, rollupMs, slowest: [...rollup].sort((a, b) => b[1] - a[1]).slice(0, 4) };
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    s3.destroy();
  }
}
