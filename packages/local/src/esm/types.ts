import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { StreamApi } from "./stream-api.ts";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";

export type KinesisBatchHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | void> | KinesisStreamBatchResponse | void;

export type StartingPosition = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";

export interface EsmLogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly shardId?: string;
  readonly error?: unknown;
  readonly [detail: string]: unknown;
}

export type EsmLogger = (entry: EsmLogEntry) => void;

/** The settings of `aws lambda create-event-source-mapping` for a Kinesis stream, plus local ones. */
export interface EventSourceMappingOptions {
  /**
   * Where the stream is read, exactly one of: `kinesis`, a client reading it over the wire
   * (DescribeStreamSummary, ListShards, GetShardIterator, GetRecords); `stream`, any other
   * reader with the same semantics (the embedded service in process: `localStreamApi`).
   */
  readonly kinesis?: KinesisClient;
  readonly stream?: StreamApi;
  readonly streamName: string;
  readonly functionName: string;
  readonly handler: KinesisBatchHandler;
  /** 1–10,000; default 100 like AWS. */
  readonly batchSize?: number;
  /** 0–300; default 0. */
  readonly maximumBatchingWindowInSeconds?: number;
  /**
   * Concurrent batches per shard (AWS: 1–10, default 1). Records are spread over them by
   * partition key, so each key's records stay in order.
   */
  readonly parallelizationFactor?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  /** -1 (default, like AWS) retries until the records expire; else 0–10,000. */
  readonly maximumRetryAttempts?: number;
  /** -1 (default) never discards by age; else 60–604,800 as AWS allows. */
  readonly maximumRecordAgeInSeconds?: number;
  readonly functionResponseTypes?: readonly "ReportBatchItemFailures"[];
  /** Where a shard without a checkpoint starts; default TRIM_HORIZON. */
  readonly startingPosition?: StartingPosition;
  readonly startingPositionTimestamp?: Date;
  /** The function's timeout; default 3,000 ms, Lambda's default. */
  readonly functionTimeoutMs?: number;
  /** Reported in the Lambda context; default 128. */
  readonly memoryMb?: number;
  /** The on-failure destination: receives one record per batch given up on. */
  readonly onFailure?: (record: OnFailureRecord) => Promise<void>;
  /** Persisted positions, so a restarted mapping resumes; without it positions live in memory. */
  readonly checkpointFile?: string;
  /** Pause between polls of a shard that is caught up; default 250 ms (AWS polls every second). */
  readonly pollIntervalMs?: number;
  /** First pause before retrying a failed batch, doubled per retry; default 100 ms. */
  readonly retryBackoffMs?: number;
  /** Ceiling of that pause; default 2,000 ms. */
  readonly maxRetryBackoffMs?: number;
  /** The function's execution role, reported as `invokeIdentityArn`. */
  readonly invokeIdentityArn?: string;
  /** Where the mapping reports what it does; default: warnings and errors to the console. */
  readonly logger?: EsmLogger;
  /** The clock used for record ages (epoch ms); tests pass one to age records. */
  readonly now?: () => number;
}

export interface KinesisBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly batchSize: number;
  readonly streamArn: string;
}

export type OnFailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

/** What Lambda sends to a Kinesis mapping's on-failure destination (the records themselves are not included). */
export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: OnFailureCondition;
    readonly approximateInvokeCount: number;
  };
  /** Describes the last invocation; empty when the records expired before any. */
  readonly responseContext: {
    readonly statusCode?: number;
    readonly executedVersion?: string;
    readonly functionError?: "Unhandled";
  };
  readonly version: "1.0";
  readonly timestamp: string;
  readonly KinesisBatchInfo: KinesisBatchInfo;
}

export interface EventSourceMappingCounters {
  /** Handler invocations. */
  batchesInvoked: number;
  /** Records passed to the handler, re-deliveries included. */
  recordsDelivered: number;
  /** Records whose processing succeeded and was checkpointed. */
  recordsSucceeded: number;
  /** Re-invocations of failed records (a bisected half is not a retry, as in AWS). */
  retries: number;
  bisections: number;
  /** Invocations that threw or timed out. */
  functionErrors: number;
  /** Invocations that reported some `batchItemFailures`. */
  partialFailures: number;
  /** Records given up on (retries exhausted or too old), whether or not `onFailure` is set. */
  recordsSentToOnFailure: number;
  /** On-failure records produced. */
  onFailureRecords: number;
  /** GetRecords/GetShardIterator/ListShards calls that failed and were retried. */
  pollErrors: number;
}
