import { randomUUID } from "node:crypto";
import type { StreamRecord } from "./kinesis-event.ts";
import type { OnFailureCondition, OnFailureRecord } from "./types.ts";

export interface DiscardedBatch {
  readonly records: readonly StreamRecord[];
  readonly shardId: string;
  readonly streamArn: string;
  readonly functionArn: string;
  readonly condition: OnFailureCondition;
  /** Invocations that included these records. */
  readonly invokeCount: number;
  /** The last of those invocations, if any. */
  readonly lastInvocation?: { readonly requestId: string; readonly functionError: boolean };
  readonly nowMs: number;
}

/** The invocation record Lambda sends to a Kinesis mapping's on-failure destination. */
export function buildOnFailureRecord(batch: DiscardedBatch): OnFailureRecord {
  const first = batch.records[0]!;
  const last = batch.records.at(-1)!;
  const invocation = batch.lastInvocation;
  return {
    requestContext: {
      requestId: invocation?.requestId ?? randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invokeCount,
    },
    responseContext: invocation
      ? { statusCode: 200, executedVersion: "$LATEST", ...(invocation.functionError ? { functionError: "Unhandled" as const } : {}) }
      : {},
    version: "1.0",
    timestamp: new Date(batch.nowMs).toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}
