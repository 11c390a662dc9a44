import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../local/src/endpoint/server.ts";
import { createKinesisService } from "../../local/src/kinesis/index.ts";
import { lambdaContext } from "../../local/src/lambda/context.ts";

/**
 * The ingest handler against the embedded Kinesis, with throttling injected: entries Kinesis
 * reports as failed are retried until they land, and what never lands is reported, not lost.
 */
const STREAM = "ingest-test";
const KEY = "test-key";
let dataDir: string;
let endpoint: RunningEndpoint;
let kinesis: KinesisClient;
let handler: (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
const attempts = new Map<string, number>();
/** Partition keys starting with "throttle-" fail twice, "never-" always. */
function fault(_stream: string, partitionKey: string): boolean {
  const n = (attempts.get(partitionKey) ?? 0) + 1;
  attempts.set(partitionKey, n);
  if (partitionKey.startsWith("never-")) return true;
  return partitionKey.startsWith("throttle-") && n <= 2;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-ingest-"));
  endpoint = await startEndpoint({ services: [createKinesisService({ dataDir, faults: { putRecord: fault } })] });
  // For the whole file: the handler reads its links when imported, its clients their credentials when first used.
  const env = {
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    SST_RESOURCE_App: JSON.stringify({ name: "freshet", stage: "test" }),
    SST_RESOURCE_Events: JSON.stringify({ name: STREAM }),
    SST_RESOURCE_IngestApiKey: JSON.stringify({ value: KEY }),
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  kinesis = new KinesisClient({});
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
  ({ handler } = (await import("../src/ingest.ts")) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  kinesis?.destroy();
  await endpoint?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function request(body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /v1/events",
    rawPath: "/v1/events",
    rawQueryString: "",
    headers: { "x-api-key": KEY, "content-type": "application/json", ...headers },
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    body,
    isBase64Encoded: false,
  };
}

async function invoke(event: APIGatewayProxyEventV2) {
  const result = await handler(event, lambdaContext({ name: "ingest", memoryMb: 512, timeoutMs: 29_000 }));
  return { status: result.statusCode, body: JSON.parse(result.body ?? "{}") as Record<string, unknown> };
}

async function streamContents(): Promise<string[]> {
  const out: string[] = [];
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: STREAM }));
  for (const shard of shards.Shards ?? []) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" })))
      .ShardIterator;
    for (;;) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      out.push(...(page.Records ?? []).map((r) => Buffer.from(r.Data as Uint8Array).toString("utf8")));
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

describe("ingest handler", () => {
  it("writes a 1,200-event JSON array in PutRecords chunks of at most 500, retrying throttled entries", async () => {
    const events = Array.from({ length: 1200 }, (_, i) => ({ event_id: i % 10 === 0 ? `throttle-${i}` : `e-${i}`, n: i }));
    const res = await invoke(request(JSON.stringify(events)));
    expect(res).toEqual({ status: 202, body: { accepted: 1200 } });
    const stored = (await streamContents()).map((s) => JSON.parse(s) as { event_id: string });
    expect(stored).toHaveLength(1200); // each throttled entry exactly once, after its retries
    expect(new Set(stored.map((e) => e.event_id))).toEqual(new Set(events.map((e) => e.event_id)));
    expect(attempts.get("throttle-0")).toBe(3);
  });

  it("answers 503 naming the events that never landed, after bounded attempts", async () => {
    const lines = [JSON.stringify({ event_id: "ok-1" }), JSON.stringify({ event_id: "never-1" }), JSON.stringify({ event_id: "ok-2" })];
    const res = await invoke(request(lines.join("\n"), { "content-type": "application/x-ndjson" }));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: "stream_unavailable", accepted: 2, failed_indexes: [1] });
    expect(attempts.get("never-1")).toBe(5);
  });

  it("refuses bad requests with typed 4xx answers", async () => {
    expect((await invoke(request("[]", { "x-api-key": "" }))).status).toBe(401);
    expect((await invoke(request("[{}]", { "x-api-key": "wrong" }))).status).toBe(403);
    expect(await invoke(request("{oops", {}))).toMatchObject({ status: 400, body: { error: "malformed_json" } });
    const big = JSON.stringify([{ blob: "x".repeat(6 * 1024 * 1024) }]);
    expect(await invoke(request(big))).toMatchObject({ status: 413, body: { limit: "body" } });
  });
});
