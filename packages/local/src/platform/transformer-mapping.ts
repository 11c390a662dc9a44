import { TRANSFORMER_EVENT_SOURCE, TRANSFORMER_FUNCTION } from "@freshet/core";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startEventSourceMapping, type EventSourceMapping, type StreamApi } from "../esm/index.ts";
import type { TransformerHandler } from "./handlers.ts";
import { LOCAL_RESOURCES } from "./links.ts";

export interface TransformerMappingOptions {
  /** How the mapping reads the stream: in process by default (see start-platform). */
  readonly stream: StreamApi;
  readonly handler: TransformerHandler;
  readonly dataDir: string;
  /** AWS's batching window is kept unless overridden (tests use 0). */
  readonly batchingWindowSeconds?: number;
  /** The deployed timeout is kept unless overridden (fault tests use a short one). */
  readonly functionTimeoutMs?: number;
}

/**
 * The event source mapping `stacks/ingest.ts` declares, run locally with the same settings (from
 * `@freshet/core`): batches of the stream to the transformer, checkpoints in the data dir, and
 * the on-failure destination (an SQS queue in AWS) as one file per batch given up on.
 */
export function startTransformerMapping(options: TransformerMappingOptions): EventSourceMapping {
  const failuresDir = join(options.dataDir, "esm", "on-failure");
  return startEventSourceMapping({
    stream: options.stream,
    streamName: LOCAL_RESOURCES.streamName,
    functionName: "freshet-local-Transformer",
    handler: options.handler,
    batchSize: TRANSFORMER_EVENT_SOURCE.batchSize,
    maximumBatchingWindowInSeconds: options.batchingWindowSeconds ?? TRANSFORMER_EVENT_SOURCE.maximumBatchingWindowInSeconds,
    bisectBatchOnFunctionError: TRANSFORMER_EVENT_SOURCE.bisectBatchOnFunctionError,
    parallelizationFactor: TRANSFORMER_EVENT_SOURCE.parallelizationFactor,
    maximumRetryAttempts: TRANSFORMER_EVENT_SOURCE.maximumRetryAttempts,
    maximumRecordAgeInSeconds: TRANSFORMER_EVENT_SOURCE.maximumRecordAgeInSeconds,
    functionResponseTypes: [...TRANSFORMER_EVENT_SOURCE.functionResponseTypes],
    startingPosition: TRANSFORMER_EVENT_SOURCE.startingPosition,
    functionTimeoutMs: options.functionTimeoutMs ?? TRANSFORMER_FUNCTION.timeoutSeconds * 1000,
    checkpointFile: join(options.dataDir, "esm", "transformer-checkpoints.json"),
    onFailure: async (record) => {
      await mkdir(failuresDir, { recursive: true });
      const info = record.KinesisBatchInfo;
      await writeFile(join(failuresDir, `${info.shardId}-${info.startSequenceNumber}.json`), JSON.stringify(record, null, 2));
    },
  });
}
