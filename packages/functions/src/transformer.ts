import middy from "@middy/core";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { BufferPool, pipelineConfigFromEnv, planBatch, type BatchPlan, type BatchReceipt, type StreamBatch } from "@freshet/core";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { Resource } from "sst";
import { LakeWriteError } from "./errors.ts";
import { s3Client } from "./shared/s3-client.ts";
import { observability } from "./shared/observability.ts";
import { recordBatchMetrics, type BatchTiming } from "./transformer/batch-metrics.ts";
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
/** Bodies are built in buffers the container keeps: each batch writes to memory the last one used. */
const pool = new BufferPool();

async function transform(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const unwritten = new Map<string, LakeWriteError>();
  await Promise.all(streamBatchesOf(event.Records).map((batch) => writeShard(planShard(batch), unwritten)));
  // Stage two: every record whose batch was not written fails, the others succeed.
  const confirmWritten = async (record: KinesisStreamRecord): Promise<void> => {
    const failure = unwritten.get(record.eventID);
    if (failure) throw failure;
  };
  return processPartialResponse(event, confirmWritten, processor, { context, throwOnFullBatchFailure: false });
}

interface PlannedBatch {
  readonly plan: BatchPlan;
  /** Where the records came from, all that outlives planning: a record's `eventID` is `<shard>:<sequence number>`. */
  readonly shardId: string;
  readonly sequenceNumbers: readonly string[];
  /** When planning began, and the stream arrival of the batch's first (oldest) record. */
  readonly startedAt: number;
  readonly oldestArrival: Date;
}

/** Plans one shard's batch; its decoded records are not needed afterwards and can be collected. */
function planShard(batch: StreamBatch): PlannedBatch {
  const startedAt = Date.now();
  return {
    startedAt,
    oldestArrival: batch.records[0]!.arrivedAt,
    plan: planBatch(batch, config, { pool }),
    shardId: batch.shardId,
    sequenceNumbers: batch.records.map((r) => r.sequenceNumber),
  };
}

/** Writes a planned batch; if that fails, each of its records is marked unwritten. */
async function writeShard({ plan, shardId, sequenceNumbers, startedAt, oldestArrival }: PlannedBatch, unwritten: Map<string, LakeWriteError>): Promise<void> {
  try {
    await writeBatch(s3Client(), Resource.Lake.name, plan);
    record(plan.receipt, { startedAt, writtenAt: Date.now(), oldestArrival });
  } catch (error) {
    const failure = error instanceof LakeWriteError ? error : new LakeWriteError(String(error), { cause: error });
    logger.error("batch not written; its records will be retried", { batchId: plan.batchId, error: failure });
    for (const sequenceNumber of sequenceNumbers) unwritten.set(`${shardId}:${sequenceNumber}`, failure);
  } finally {
    plan.release();
  }
}

function record(receipt: BatchReceipt, timing: BatchTiming): void {
  recordBatchMetrics(metrics, receipt, timing);
  if (receipt.dead_lettered > 0) {
    logger.warn("dead letters written", { batchId: receipt.batch_id, reasons: receipt.dead_lettered_by_reason });
  }
}

export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(transform);
