import middy from "@middy/core";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { pipelineConfigFromEnv, planBatch, type BatchReceipt } from "@freshet/core";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { Resource } from "sst";
import { LakeWriteError } from "./errors.ts";
import { s3Client } from "./shared/clients.ts";
import { observability } from "./shared/observability.ts";
import { streamBatchesOf } from "./transformer/stream-batches.ts";
import { writeBatch } from "./transformer/write-lake.ts";

/**
 * Kinesis → lake. Each batch is validated in stages (core's `planBatch`) and written as raw,
 * processed (per event-time partition), dead-letter and receipt objects. A bad record never
 * fails the batch: it becomes a dead letter. A failed write fails exactly the records it would
 * have stored, reported through Powertools' batch utility so Lambda retries only those.
 */
const { logger, metrics } = observability("transformer");
const config = pipelineConfigFromEnv(process.env);
const processor = new BatchProcessor(EventType.KinesisDataStreams);

async function transform(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const unwritten = new Map<string, LakeWriteError>();
  await Promise.all(
    streamBatchesOf(event.Records).map(async (batch) => {
      const plan = planBatch(batch, config);
      try {
        await writeBatch(s3Client(), Resource.Lake.name, plan);
        record(plan.receipt);
      } catch (error) {
        const failure = error instanceof LakeWriteError ? error : new LakeWriteError(String(error), { cause: error });
        logger.error("batch not written; its records will be retried", { batchId: plan.batchId, error: failure });
        for (const r of batch.records) unwritten.set(`${batch.shardId}:${r.sequenceNumber}`, failure);
      }
    }),
  );
  // Stage two: every record whose batch was not written fails, the others succeed.
  const confirmWritten = async (record: KinesisStreamRecord): Promise<void> => {
    const failure = unwritten.get(record.eventID);
    if (failure) throw failure;
  };
  return processPartialResponse(event, confirmWritten, processor, { context, throwOnFullBatchFailure: false });
}

function record(receipt: BatchReceipt): void {
  metrics.addMetric("RecordsReceived", MetricUnit.Count, receipt.received);
  metrics.addMetric("EventsProcessed", MetricUnit.Count, receipt.processed);
  metrics.addMetric("EventsFiltered", MetricUnit.Count, receipt.filtered);
  metrics.addMetric("EventsDeadLettered", MetricUnit.Count, receipt.dead_lettered);
  if (receipt.dead_lettered > 0) {
    logger.warn("dead letters written", { batchId: receipt.batch_id, reasons: receipt.dead_lettered_by_reason });
  }
}

export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(transform);
