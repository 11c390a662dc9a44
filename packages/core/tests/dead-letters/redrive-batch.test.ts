import { describe, expect, it } from "vitest";
import {
  DEFAULT_PIPELINE_CONFIG,
  parseDeadLetter,
  planBatch,
  REDRIVE_PARTITION_PREFIX,
  triageDeadLetter,
  type BatchPlan,
  type RedriveRecord,
  type StreamBatch,
} from "@freshet/core";
import { aDeadLetterOf, DEAD_LETTER_KEY, STREAM_ARN } from "../helpers/dead-letters.ts";
import { anEventV2, ARRIVAL } from "../helpers/factories.ts";

/** The transformer's side of a redrive: `planBatch` recognises it by the reserved partition key only. */

const REDRIVE_ARRIVAL = new Date(ARRIVAL.getTime() + 40 * 60_000); // the next hour: 11:10Z

function batchOf(records: readonly { data: Uint8Array | string; partitionKey: string }[], arrivedAt = REDRIVE_ARRIVAL): StreamBatch {
  return {
    streamArn: STREAM_ARN,
    shardId: "shardId-000000000001",
    records: records.map((r, i) => ({
      data: typeof r.data === "string" ? Buffer.from(r.data) : r.data,
      partitionKey: r.partitionKey,
      sequenceNumber: String(500 + i),
      arrivedAt,
    })),
  };
}

function repairedRecord(event: Record<string, unknown>): RedriveRecord {
  const outcome = triageDeadLetter(aDeadLetterOf(event), DEAD_LETTER_KEY, DEFAULT_PIPELINE_CONFIG, REDRIVE_ARRIVAL);
  if (outcome.kind !== "repaired") throw new Error(outcome.why);
  return outcome.record;
}

const linesOf = (plan: BatchPlan, kind: string) =>
  plan.objects.filter((o) => o.kind === kind).flatMap((o) => o.body.split("\n").filter(Boolean));

describe("planBatch with redrive records", () => {
  it("validates the event inside, keeps its id, marks the processed row, and counts it redriven, not received", () => {
    const record = repairedRecord(anEventV2({ event_id: "evt-rev", revenue: "12.50", currency: "USD" }));
    const plan = planBatch(batchOf([record, { data: JSON.stringify(anEventV2({ event_id: "evt-new" })), partitionKey: "evt-new" }]), DEFAULT_PIPELINE_CONFIG);
    const processed = linesOf(plan, "processed").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(processed).toHaveLength(2);
    expect(processed[0]).toMatchObject({
      event_id: "evt-rev",
      revenue: 12.5,
      received_at: REDRIVE_ARRIVAL.toISOString(),
      redriven_by: "revenue-decimal-string@1",
      redriven_from: DEAD_LETTER_KEY,
    });
    expect(processed[1]).not.toHaveProperty("redriven_by");
    expect(plan.receipt).toMatchObject({ received: 1, redriven: 1, processed: 2, filtered: 0, dead_lettered: 0 });
    expect(plan.receipt.windows).toEqual([{ window: "2026-11-26T11", received: 1, redriven: 1, processed: 2, filtered: 0, dead_lettered: 0 }]);
  });

  it("treats an envelope without the reserved key as any producer's event: a schema violation", () => {
    const record = repairedRecord(anEventV2({ plan: "pro" }));
    const plan = planBatch(batchOf([{ data: record.data, partitionKey: "evt-0001" }]), DEFAULT_PIPELINE_CONFIG);
    expect(plan.receipt).toMatchObject({ received: 1, redriven: 0, dead_lettered: 1 });
    expect(parseDeadLetter(linesOf(plan, "dead_letters")[0]!).errors.map((e) => e.path)).toContain("freshet_redrive");
  });

  it("dead-letters a redrive the transformer rejects now, keeping the envelope and key so triage never redrives it again", () => {
    const record = repairedRecord(anEventV2({ revenue: "1.5", currency: "USD" }));
    const late = new Date(ARRIVAL.getTime() + 8 * 86_400_000); // older than the transformer accepts by then
    const plan = planBatch(batchOf([record], late), DEFAULT_PIPELINE_CONFIG);
    expect(plan.receipt).toMatchObject({ received: 0, redriven: 1, dead_lettered: 1, dead_lettered_by_reason: { rule_violation: 1 } });
    const letter = parseDeadLetter(linesOf(plan, "dead_letters")[0]!);
    expect(Buffer.from(letter.original_base64, "base64")).toEqual(Buffer.from(record.data));
    expect(letter.source.partition_key.startsWith(REDRIVE_PARTITION_PREFIX)).toBe(true);
    expect(triageDeadLetter(letter, DEAD_LETTER_KEY, DEFAULT_PIPELINE_CONFIG, late)).toMatchObject({ kind: "quarantined" });
  });

  it("dead-letters a record under the reserved key that is not an envelope, counted as redriven", () => {
    const plan = planBatch(batchOf([{ data: JSON.stringify(anEventV2()), partitionKey: `${REDRIVE_PARTITION_PREFIX}evt-0001` }]), DEFAULT_PIPELINE_CONFIG);
    expect(plan.receipt).toMatchObject({ received: 0, redriven: 1, dead_lettered: 1, dead_lettered_by_reason: { schema_violation: 1 } });
  });

  it("round-trips: the transformer's own dead letter, triaged, comes back processed", () => {
    const first = planBatch(batchOf([{ data: JSON.stringify(anEventV2({ event_id: "evt-us", occurred_at: Date.parse("2026-11-26T10:15:00Z") * 1000 })), partitionKey: "evt-us" }], ARRIVAL), DEFAULT_PIPELINE_CONFIG);
    const letter = parseDeadLetter(linesOf(first, "dead_letters")[0]!);
    const key = first.objects.find((o) => o.kind === "dead_letters")!.key;
    const outcome = triageDeadLetter(letter, key, DEFAULT_PIPELINE_CONFIG, REDRIVE_ARRIVAL);
    if (outcome.kind !== "repaired") throw new Error(outcome.why);
    expect(outcome.rule.id).toBe("epoch-sub-millisecond");
    const again = planBatch(batchOf([outcome.record]), DEFAULT_PIPELINE_CONFIG);
    expect(linesOf(again, "processed").map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ event_id: "evt-us", occurred_at: "2026-11-26T10:15:00.000Z", redriven_by: "epoch-sub-millisecond@1", redriven_from: key }),
    ]);
  });
});
