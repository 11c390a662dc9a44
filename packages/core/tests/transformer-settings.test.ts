import { describe, expect, it } from "vitest";
import { heapNodeOptions, INGEST_FUNCTION, TRANSFORMER_EVENT_SOURCE, TRANSFORMER_FUNCTION, transformerHeap } from "@freshet/core";

/**
 * The deployed settings, pinned where they are defined: the synth tests check that the stacks
 * deploy these constants (importing them), this file that the constants are the chosen values.
 */
describe("transformer and ingest settings", () => {
  it("consume the stream one 500-record batch per shard at a time, with bounded retries, bisecting and partial batch responses", () => {
    expect(TRANSFORMER_EVENT_SOURCE).toEqual({
      startingPosition: "TRIM_HORIZON",
      batchSize: 500,
      maximumBatchingWindowInSeconds: 5,
      parallelizationFactor: 1,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ["ReportBatchItemFailures"],
      maximumRetryAttempts: 5,
      maximumRecordAgeInSeconds: 3600,
    });
  });

  it("size the transformer at 256 MB for a minute, and the ingest at 512 MB within API Gateway's 30 s", () => {
    expect(TRANSFORMER_FUNCTION).toEqual({ memoryMb: 256, timeoutSeconds: 60 });
    expect(INGEST_FUNCTION.memoryMb).toBe(512);
    expect(INGEST_FUNCTION.timeoutSeconds).toBeLessThanOrEqual(29);
  });

  it("give the transformer 1 MiB semi-spaces and the old space Lambda would compute, as NODE_OPTIONS", () => {
    expect(transformerHeap(256)).toEqual({ maxSemiSpaceMb: 1, maxOldSpaceMb: 231 });
    expect(transformerHeap(1024)).toEqual({ maxSemiSpaceMb: 1, maxOldSpaceMb: 922 });
    expect(heapNodeOptions(transformerHeap(TRANSFORMER_FUNCTION.memoryMb))).toBe("--max-semi-space-size=1 --max-old-space-size=231");
  });
});
