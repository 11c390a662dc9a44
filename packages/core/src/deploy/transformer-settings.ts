/**
 * How the transformer consumes the stream. One source for `stacks/ingest.ts` (the event source
 * mapping in AWS) and `packages/local` (the local mapping), so both behave alike. Every value is
 * bounded: AWS's defaults (infinite retries and record age) let one poison batch block a shard.
 */
export const TRANSFORMER_EVENT_SOURCE = {
  batchSize: 500,
  maximumBatchingWindowInSeconds: 5,
  /**
   * Batches per shard at once (records of one partition key stay in order). One: measured
   * locally, a second batch per shard halved batch sizes and multiplied lake objects and loads
   * for no more events per second once the machine was busy; raise it per stage if a shard's
   * invocations, not the CPU, are what limits.
   */
  parallelizationFactor: 1,
  bisectBatchOnFunctionError: true,
  functionResponseTypes: ["ReportBatchItemFailures"],
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 3600,
  startingPosition: "TRIM_HORIZON",
} as const;

/** The transformer's Lambda sizing (the case study's cost-optimised 256 MB). */
export const TRANSFORMER_FUNCTION = {
  memoryMb: 256,
  timeoutSeconds: 60,
} as const;

export const INGEST_FUNCTION = {
  memoryMb: 512,
  timeoutSeconds: 29, // API Gateway's integration timeout
} as const;
