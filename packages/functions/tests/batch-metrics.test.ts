import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricUnit as Unit } from "@aws-lambda-powertools/metrics/types";
import { METRIC_NAMES, REASON_DIMENSION, type BatchReceipt } from "@freshet/core";
import { describe, expect, it } from "vitest";
import { recordBatchMetrics, type MetricSink } from "../src/transformer/batch-metrics.ts";

/** Records what the transformer emits: buffered metrics, and single metrics with their dimensions. */
function recorder() {
  const buffered: { name: string; unit: Unit; value: number }[] = [];
  const singles: { dimensions: Record<string, string>; name: string; unit: Unit; value: number }[] = [];
  const sink: MetricSink = {
    addMetric: (name, unit, value) => buffered.push({ name, unit, value }),
    singleMetric: () => {
      const dimensions: Record<string, string> = {};
      return {
        addDimension: (name, value) => (dimensions[name] = value),
        addMetric: (name, unit, value) => singles.push({ dimensions, name, unit, value }),
      };
    },
  };
  return { sink, buffered, singles };
}

const receipt = (over: Partial<BatchReceipt>): BatchReceipt => ({
  receipt_version: 2,
  batch_id: "b",
  stream_arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
  shard_id: "shardId-000000000000",
  first_sequence_number: "1",
  last_sequence_number: "9",
  received: 10,
  redriven: 0,
  processed: 6,
  filtered: 1,
  dead_lettered: 3,
  filtered_by_type: { heartbeat: 1 },
  dead_lettered_by_reason: { schema_invalid: 2, too_old: 1 },
  windows: [],
  objects: [],
  ...over,
});

describe("recordBatchMetrics", () => {
  it("emits the receipt's counts, the batch duration and the lag from the oldest arrival to written", () => {
    const { sink, buffered } = recorder();
    const arrival = new Date("2025-01-01T00:00:00.000Z");
    recordBatchMetrics(sink, receipt({}), { oldestArrival: arrival, startedAt: arrival.getTime() + 4_000, writtenAt: arrival.getTime() + 4_250 });
    expect(buffered).toEqual([
      { name: METRIC_NAMES.recordsReceived, unit: MetricUnit.Count, value: 10 },
      { name: METRIC_NAMES.eventsProcessed, unit: MetricUnit.Count, value: 6 },
      { name: METRIC_NAMES.eventsFiltered, unit: MetricUnit.Count, value: 1 },
      { name: METRIC_NAMES.eventsDeadLettered, unit: MetricUnit.Count, value: 3 },
      { name: METRIC_NAMES.batchDuration, unit: MetricUnit.Milliseconds, value: 250 },
      { name: METRIC_NAMES.endToEndLag, unit: MetricUnit.Milliseconds, value: 4_250 },
    ]);
  });

  it("emits dead letters per reason, each as its own metric with a reason dimension", () => {
    const { sink, singles } = recorder();
    const t = Date.now();
    recordBatchMetrics(sink, receipt({ dead_lettered_by_reason: { schema_invalid: 2, too_old: 1, unparseable: 0 } }), { oldestArrival: new Date(t), startedAt: t, writtenAt: t });
    expect(singles).toEqual([
      { dimensions: { [REASON_DIMENSION]: "schema_invalid" }, name: METRIC_NAMES.deadLettersByReason, unit: MetricUnit.Count, value: 2 },
      { dimensions: { [REASON_DIMENSION]: "too_old" }, name: METRIC_NAMES.deadLettersByReason, unit: MetricUnit.Count, value: 1 },
    ]);
  });

  it("never reports a negative lag when the stream's arrival time is ahead of the function's clock", () => {
    const { sink, buffered } = recorder();
    const t = Date.now();
    recordBatchMetrics(sink, receipt({}), { oldestArrival: new Date(t + 5_000), startedAt: t, writtenAt: t });
    expect(buffered.find((m) => m.name === METRIC_NAMES.endToEndLag)?.value).toBe(0);
  });
});
