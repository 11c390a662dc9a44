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

/** A V8 heap's two limits, in MiB: what `--max-semi-space-size` and `--max-old-space-size` set. */
export interface HeapLimits {
  readonly maxSemiSpaceMb: number;
  readonly maxOldSpaceMb: number;
}

/**
 * The transformer's heap at `memoryMb`: one source for the deployed NODE_OPTIONS (`stacks/`) and
 * the bench that measures them (not for the local environment, which runs several batches at
 * once: see packages/local's handlers.ts). Lambda's Node.js bootstrap gives a
 * function a new space of memory / 10 in three semi-spaces (8 MiB each at 256 MB: V8's young
 * generation is three of them) and an old space of the rest, unless NODE_OPTIONS names either
 * flag: then it sets neither. So both are declared, the old space as Lambda computes it.
 *
 * 1 MiB semi-spaces: measured with `npm run bench -- transformer` (the handler process, 500-record
 * batches, old space 231 MiB), peak RSS was 96 MB at 1 MiB (96–102 over 200 batches), 98–99 at 2,
 * 101–103 at 4 and 107–114 at 8 (Lambda's default), with no loss of throughput at 1 MiB: a
 * batch's objects die young whatever the size, and a smaller young generation stays in cache.
 * The old space's size made no measurable difference (64, 128 and 231 MiB alike).
 */
export function transformerHeap(memoryMb: number): HeapLimits {
  return { maxSemiSpaceMb: 1, maxOldSpaceMb: memoryMb - Math.floor(memoryMb / 10) };
}

/** `heap` as NODE_OPTIONS (both flags are among the V8 options Node allows there). */
export function heapNodeOptions(heap: HeapLimits): string {
  return `--max-semi-space-size=${heap.maxSemiSpaceMb} --max-old-space-size=${heap.maxOldSpaceMb}`;
}

export const INGEST_FUNCTION = {
  memoryMb: 512,
  timeoutSeconds: 29, // API Gateway's integration timeout
} as const;
