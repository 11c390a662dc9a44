import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricUnit as Unit } from "@aws-lambda-powertools/metrics/types";
import { METRIC_NAMES, REASON_DIMENSION, type BatchReceipt } from "@freshet/core";

/** What of Powertools' `Metrics` the transformer uses (a test passes a recorder). */
export interface MetricSink {
  addMetric(name: string, unit: Unit, value: number): unknown;
  /** A metric flushed on its own, so it can carry a dimension the others do not. */
  singleMetric(): { addDimension(name: string, value: string): unknown; addMetric(name: string, unit: Unit, value: number): unknown };
}

export interface BatchTiming {
  /** When planning the batch began. */
  readonly startedAt: number;
  /** When its objects were written (the receipt last). */
  readonly writtenAt: number;
  /** The stream arrival (`received_at`) of its oldest record. */
  readonly oldestArrival: Date;
}

/** One written batch's metrics: the receipt's counts, dead letters by reason, duration and lag. */
export function recordBatchMetrics(metrics: MetricSink, receipt: BatchReceipt, timing: BatchTiming): void {
  metrics.addMetric(METRIC_NAMES.recordsReceived, MetricUnit.Count, receipt.received);
  metrics.addMetric(METRIC_NAMES.eventsProcessed, MetricUnit.Count, receipt.processed);
  metrics.addMetric(METRIC_NAMES.eventsFiltered, MetricUnit.Count, receipt.filtered);
  metrics.addMetric(METRIC_NAMES.eventsDeadLettered, MetricUnit.Count, receipt.dead_lettered);
  metrics.addMetric(METRIC_NAMES.batchDuration, MetricUnit.Milliseconds, Math.max(0, timing.writtenAt - timing.startedAt));
  metrics.addMetric(METRIC_NAMES.endToEndLag, MetricUnit.Milliseconds, Math.max(0, timing.writtenAt - timing.oldestArrival.getTime()));
  // EMF gives every metric of a flush the same dimensions: a reason needs its own.
  for (const [reason, count] of Object.entries(receipt.dead_lettered_by_reason)) {
    if (count <= 0) continue;
    const single = metrics.singleMetric();
    single.addDimension(REASON_DIMENSION, reason);
    single.addMetric(METRIC_NAMES.deadLettersByReason, MetricUnit.Count, count);
  }
}
