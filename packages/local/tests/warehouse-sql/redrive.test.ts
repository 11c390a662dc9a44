import {
  buildAuditQuery,
  buildLoadStatements,
  DEFAULT_PIPELINE_CONFIG,
  parseDeadLetter,
  planBatch,
  triageDeadLetter,
  type BatchPlan,
  type LoadObject,
  type RedriveRecord,
  type StreamBatch,
} from "@freshet/core";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COPY_ROLE, LAKE_BUCKET, writeManifest } from "./fixture-lake.ts";
import { records, startWarehouse, type Warehouse } from "./warehouse.ts";

/*
 * Dead-letter triage's accounting on the local engine, with core's own transformer (`planBatch`)
 * and triage: a repaired event moves from dead-lettered to loaded exactly once, however often it
 * is redriven and even when the producer also sent it again, and every hour's audit balances:
 * received + redriven = loaded + duplicates + filtered + dead_lettered + in_flight.
 */

const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/freshet-events";
const base = (overrides: Record<string, unknown>) => ({
  schema_version: 2,
  event_type: "purchase",
  occurred_at: "2026-11-26T10:15:00Z",
  user_id: "user-42",
  account_id: "acct-7",
  ...overrides,
});

let sequence = 1000;
function batchOf(records: readonly { data: Uint8Array | string; partitionKey: string; at: string }[]): StreamBatch {
  return {
    streamArn: STREAM_ARN,
    shardId: "shardId-000000000000",
    records: records.map((r) => ({ data: typeof r.data === "string" ? Buffer.from(r.data) : r.data, partitionKey: r.partitionKey, sequenceNumber: String(sequence++), arrivedAt: new Date(r.at) })),
  };
}

/** Writes a plan's objects as the transformer does (gzip where it says) and loads its processed objects and receipt. */
async function writeAndLoad(w: Warehouse, plan: BatchPlan, loadId: string): Promise<string[]> {
  const objects: LoadObject[] = [];
  for (const o of plan.objects) {
    const body = o.gzip ? gzipSync(o.bytes) : o.bytes;
    await w.putObject(LAKE_BUCKET, o.key, body);
    if (o.kind === "processed") objects.push({ key: o.key, sizeBytes: body.length });
  }
  const manifestUrl = await writeManifest(w, loadId, objects);
  const statements = buildLoadStatements({ loadId, manifestUrl, iamRoleArn: COPY_ROLE, objects, receipts: [plan.receipt], startedAt: "2026-11-26T12:30:00Z" });
  const out = await w.batch(statements);
  expect(out.Status, out.Error).toBe("FINISHED");
  return statements;
}

const audit = async (w: Warehouse) =>
  (await records(w, buildAuditQuery())).map((r) => [r.received, r.redriven, r.processed, r.filtered, r.dead_lettered, r.loaded, r.duplicates, r.in_flight, r.repaired, r.status]);

describe("redriven dead letters in the warehouse", () => {
  let w: Warehouse;
  let first: BatchPlan;
  const redrives = new Map<string, RedriveRecord>();

  beforeAll(async () => {
    w = await startWarehouse();
    await w.migrate();
  }, 60_000);
  afterAll(() => w?.dispose());

  it("a first batch: one event loaded, three dead-lettered", async () => {
    first = planBatch(
      batchOf([
        { data: JSON.stringify(base({ event_id: "evt-ok" })), partitionKey: "evt-ok", at: "2026-11-26T10:30:00Z" },
        { data: JSON.stringify(base({ event_id: "evt-rev", revenue: "12.50", currency: "USD" })), partitionKey: "evt-rev", at: "2026-11-26T10:30:00Z" },
        { data: JSON.stringify(base({ event_id: "evt-dup", plan: "pro" })), partitionKey: "evt-dup", at: "2026-11-26T10:30:01Z" },
        { data: JSON.stringify(base({ event_id: "evt-bad", user_id: "" })), partitionKey: "evt-bad", at: "2026-11-26T10:30:01Z" },
      ]),
      DEFAULT_PIPELINE_CONFIG,
    );
    await writeAndLoad(w, first, "load-1");
    expect(await audit(w)).toEqual([[4, 0, 1, 0, 3, 1, 0, 0, 0, "balanced"]]);
  });

  it("triage repairs two of them and quarantines the third", () => {
    const outcomes = first.objects
      .filter((o) => o.kind === "dead_letters")
      .flatMap((o) => o.body.split("\n").filter(Boolean).map((line) => triageDeadLetter(parseDeadLetter(line), o.key, DEFAULT_PIPELINE_CONFIG, new Date("2026-11-26T11:09:00Z"))));
    for (const o of outcomes) if (o.kind === "repaired") redrives.set(o.eventId, o.record);
    expect([...redrives.keys()].sort()).toEqual(["evt-dup", "evt-rev"]);
    expect(outcomes.filter((o) => o.kind === "quarantined")).toHaveLength(1);
  });

  it("redriven twice, and once also resent by the producer: each event loaded once, the repaired one marked", async () => {
    const rev = redrives.get("evt-rev")!;
    const dup = redrives.get("evt-dup")!;
    const second = planBatch(
      batchOf([
        // The producer fixed and resent evt-dup before triage ran: its row is the producer's.
        { data: JSON.stringify(base({ event_id: "evt-dup", properties: { plan: "pro" } })), partitionKey: "evt-dup", at: "2026-11-26T11:05:00Z" },
        { ...rev, at: "2026-11-26T11:10:00Z" },
        { ...dup, at: "2026-11-26T11:10:00Z" },
        { ...rev, at: "2026-11-26T11:10:01Z" }, // triage ran twice
      ]),
      DEFAULT_PIPELINE_CONFIG,
    );
    expect(second.receipt).toMatchObject({ received: 1, redriven: 3, processed: 4 });
    await writeAndLoad(w, second, "load-2");
    expect(await w.rows("SELECT event_id, revenue, redriven_by, redriven_from FROM events ORDER BY event_id")).toEqual([
      ["evt-dup", null, null, null],
      ["evt-ok", null, null, null],
      ["evt-rev", expect.anything(), "revenue-decimal-string@1", first.objects.find((o) => o.key.includes("reason=schema_violation"))!.key],
    ]);
    expect(await audit(w)).toEqual([
      [4, 0, 1, 0, 3, 1, 0, 0, 0, "balanced"],
      [1, 3, 4, 0, 0, 2, 2, 0, 1, "balanced"],
    ]);
  });

  it("a redrive arriving after the event was loaded is a duplicate: nothing repaired twice", async () => {
    await writeAndLoad(w, planBatch(batchOf([{ ...redrives.get("evt-rev")!, at: "2026-11-26T12:00:00Z" }]), DEFAULT_PIPELINE_CONFIG), "load-3");
    expect(await w.rows("SELECT COUNT(*) FROM events")).toEqual([[3]]);
    expect((await audit(w)).at(-1)).toEqual([0, 1, 1, 0, 0, 0, 1, 0, 0, "balanced"]);
    const [totals] = await w.rows("SELECT SUM(repaired), SUM(redriven), SUM(dead_lettered) FROM event_accounting");
    expect(totals!.map(Number)).toEqual([1, 4, 3]);
  });
});
