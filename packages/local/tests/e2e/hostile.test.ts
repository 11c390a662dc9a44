import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LAKE_FRESHNESS_STATE_KEY, LOAD_INCIDENT_KEYS, LOAD_PLANNER_STATE_KEY, MAINTENANCE_LEASE_KEY, type BatchReceipt, type DeadLetter, type EventV2 } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anEventV2, type PayloadOverrides } from "../../../core/tests/helpers/factories.ts";
import { LOCAL_RESOURCES, startPlatform, type Platform } from "../../src/index.ts";
import { lines, readLake } from "./lake-reader.ts";

/**
 * Hostile input over HTTP, through the real handlers: every request either gets a clear 4xx and
 * writes nothing, or every event in it ends up processed, filtered or dead-lettered with its
 * reason — under keys of the partition scheme only.
 */
let dataDir: string;
let platform: Platform;
let s3: S3Client;
let sfn: SFNClient;
const now = new Date();

/** One NDJSON line: a valid v2 event that occurred now, with `overrides`. */
function eventLine(overrides: PayloadOverrides<EventV2>): string {
  return JSON.stringify(anEventV2({ occurred_at: now.toISOString(), ...overrides }));
}

async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(platform.ingestUrl, {
    method: "POST",
    headers: { "x-api-key": platform.apiKey, "content-type": "application/x-ndjson", ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function keys(prefix = ""): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_RESOURCES.bucketName, Prefix: prefix, ContinuationToken: token }));
    out.push(...(page.Contents ?? []).map((o) => o.Key as string));
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

async function deadLetters(): Promise<DeadLetter[]> {
  await platform.waitForIdle();
  const dlq = await readLake(s3, LOCAL_RESOURCES.bucketName, "dlq/");
  return [...dlq.values()].flatMap(lines).map((l) => JSON.parse(l) as DeadLetter);
}

function letterFor(letters: DeadLetter[], eventId: string): DeadLetter | undefined {
  return letters.find((l) => l.event_id === eventId);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-hostile-"));
  // Counts the dead letters as the transformer wrote them: no triage on landing.
  platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, triageOnLanding: false });
  const client = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
  s3 = new S3Client(client);
  sfn = new SFNClient(client);
});

afterAll(async () => {
  await platform?.stop();
  s3?.destroy();
  sfn?.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("authentication", () => {
  it("answers 401 without a key and 403 with a wrong one, writing nothing", async () => {
    const event = eventLine({ event_id: "auth-1" });
    const missing = await fetch(platform.ingestUrl, { method: "POST", body: event });
    expect(missing.status).toBe(401);
    const wrong = await fetch(platform.ingestUrl, { method: "POST", body: event, headers: { "x-api-key": `${platform.apiKey}x` } });
    expect(wrong.status).toBe(403);
    const bearer = await fetch(platform.ingestUrl, { method: "POST", body: event, headers: { authorization: "Bearer nope" } });
    expect(bearer.status).toBe(403);
    await platform.waitForIdle();
    expect(platform.accepted()).toBe(0);
    expect(await keys("raw/")).toEqual([]);
  });
});

describe("malformed bodies", () => {
  it("rejects a broken JSON array with 400 and a reason", async () => {
    const res = await post('[{"event_id": "x", ', { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("malformed_json");
  });

  it("rejects an empty body with 400", async () => {
    expect((await post("  \n")).status).toBe(400);
  });

  it("dead-letters a malformed NDJSON line without costing its neighbours", async () => {
    const res = await post([eventLine({ event_id: "nd-ok" }), '{"event_id":"nd-bad",', "NaN"].join("\n"));
    expect(res).toMatchObject({ status: 202, body: { accepted: 3 } });
    const letters = await deadLetters();
    const malformed = letters.filter((l) => l.reason === "malformed_json").map((l) => Buffer.from(l.original_base64, "base64").toString());
    expect(malformed).toEqual(expect.arrayContaining(['{"event_id":"nd-bad",', "NaN"]));
  });
});

describe("size and shape limits", () => {
  it("answers 413 for a 2 MB event and writes nothing of that request", async () => {
    const before = platform.accepted();
    const huge = eventLine({ event_id: "huge", properties: { blob: "x".repeat(2 * 1024 * 1024) } });
    const res = await post([eventLine({ event_id: "next-to-huge" }), huge].join("\n"));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "payload_too_large", limit: "event" });
    expect(platform.accepted()).toBe(before);
    const letters = await deadLetters();
    expect(letterFor(letters, "next-to-huge")).toBeUndefined();
  });

  it("dead-letters 10,000 levels of nesting as too_deep (NDJSON) and refuses it in a JSON array (400)", async () => {
    const deep = `{"event_id":"deep","properties":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`;
    expect((await post(deep)).status).toBe(202);
    expect((await post(`[${deep}]`, { "content-type": "application/json" })).status).toBe(400);
    const letters = await deadLetters();
    expect(letters.find((l) => l.reason === "too_deep" && Buffer.from(l.original_base64, "base64").toString() === deep)).toBeDefined();
  });

  it("dead-letters invalid UTF-8 with the exact original bytes", async () => {
    const bytes = Buffer.concat([Buffer.from('{"event_id":"utf8-'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    expect((await post(bytes)).status).toBe(202);
    const letters = await deadLetters();
    const letter = letters.find((l) => l.reason === "invalid_encoding");
    expect(letter && Buffer.from(letter.original_base64, "base64").equals(bytes)).toBe(true);
  });
});

describe("hostile values", () => {
  it("keeps __proto__ and constructor inside properties and rejects them at the top level", async () => {
    const inside = `{"event_id":"proto-in","event_type":"page_view","occurred_at":"${now.toISOString()}","user_id":"u","account_id":"a","properties":{"__proto__":{"polluted":true},"constructor":{"prototype":1}}}`;
    const top = `{"event_id":"proto-top","event_type":"page_view","occurred_at":"${now.toISOString()}","user_id":"u","account_id":"a","__proto__":{"polluted":true}}`;
    expect((await post([inside, top].join("\n"))).status).toBe(202);
    const letters = await deadLetters();
    expect(letterFor(letters, "proto-top")?.reason).toBe("schema_violation");
    const processed = [...(await readLake(s3, LOCAL_RESOURCES.bucketName, "processed/")).values()].flatMap(lines);
    const kept = processed.find((l) => l.includes('"proto-in"'));
    expect(kept).toBeDefined();
    expect(kept).toContain('"__proto__":{"polluted":true}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("dead-letters non-finite and negative revenue, and times in 1900 and 3000", async () => {
    const cases = [
      ["rev-inf", `{"event_id":"rev-inf","event_type":"purchase","occurred_at":"${now.toISOString()}","user_id":"u","account_id":"a","revenue":1e309,"currency":"USD"}`, "schema_violation"],
      ["rev-neg", eventLine({ event_id: "rev-neg", revenue: -1, currency: "USD" }), "schema_violation"],
      ["t-1900", eventLine({ event_id: "t-1900", occurred_at: "1900-01-01T00:00:00Z" }), "rule_violation"],
      ["t-3000", eventLine({ event_id: "t-3000", occurred_at: "3000-01-01T00:00:00Z" }), "rule_violation"],
    ] as const;
    expect((await post(cases.map((c) => c[1]).join("\n"))).status).toBe(202);
    const letters = await deadLetters();
    for (const [id, , reason] of cases) expect(letterFor(letters, id)?.reason, id).toBe(reason);
  });

  it("never lets event content shape an object key", async () => {
    const traversal = ["../../../etc/passwd", "..\\..\\windows", "/abs/path", "dt=1999-01-01/hr=00/../../x", "%2e%2e%2f"];
    const events = traversal.flatMap((t, i) => [
      eventLine({ event_id: `trav-type-${i}`, event_type: t }),
      eventLine({ event_id: `trav-camp-${i}`, campaign_id: t }),
    ]);
    expect((await post(events.join("\n"))).status).toBe(202);
    const letters = await deadLetters();
    for (let i = 0; i < traversal.length; i++) expect(letterFor(letters, `trav-type-${i}`)?.reason).toBe("rule_violation");
    // The workflows' own state is written under fixed names: run LakeFreshness (its schedule may
    // also fire at any moment) so its key is always among those checked.
    const freshness = platform.workflows.workflows.find((w) => w.name === "LakeFreshness");
    expect(freshness, "the LakeFreshness workflow").toBeDefined();
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: freshness!.stateMachineArn, input: "{}" }));
    expect((await platform.services.stepFunctions.waitForExecution(executionArn!)).status).toBe("SUCCEEDED");
    const stateKeys = new Set([LAKE_FRESHNESS_STATE_KEY, MAINTENANCE_LEASE_KEY, LOAD_PLANNER_STATE_KEY, ...Object.values(LOAD_INCIDENT_KEYS)]);
    // Event partitions, and the Load's manifests and in-flight claims, named by load id.
    const scheme =
      /^((raw\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}|processed\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}|receipts\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}|dlq\/dt=\d{4}-\d{2}-\d{2}\/reason=[a-z_]+)\/[A-Za-z0-9_-]+\.(ndjson\.gz|json)|manifests\/(in-flight\/)?load-[0-9a-f]+\.json)$/;
    const all = await keys();
    expect(all.filter((k) => k.startsWith("raw/")).length).toBeGreaterThan(0);
    expect(all).toContain(LAKE_FRESHNESS_STATE_KEY);
    for (const key of all) if (!stateKeys.has(key)) expect(key).toMatch(scheme);
  });

  it("loses nothing: every accepted event is accounted for by a receipt", async () => {
    await platform.waitForIdle();
    const receipts = [...(await readLake(s3, LOCAL_RESOURCES.bucketName, "receipts/")).values()].map((b) => JSON.parse(b) as BatchReceipt);
    const received = receipts.reduce((n, r) => n + r.received, 0);
    expect(received).toBe(platform.accepted());
    for (const r of receipts) expect(r.received).toBe(r.processed + r.filtered + r.dead_lettered);
  });
});
