import { MappingConfigError } from "./errors.ts";
import type { EsmLogger, EventSourceMappingOptions, KinesisBatchHandler, StartingPosition } from "./types.ts";

/** Options with every default applied and every range checked. */
export interface ResolvedOptions {
  readonly streamName: string;
  readonly functionName: string;
  readonly handler: KinesisBatchHandler;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  /** Batches of one shard processed at once, records of a partition key always in order (1–10). */
  readonly parallelizationFactor: number;
  readonly bisect: boolean;
  /** Infinity when unbounded (-1). */
  readonly maximumRetryAttempts: number;
  /** Infinity when unbounded (-1). */
  readonly maximumRecordAgeMs: number;
  readonly reportBatchItemFailures: boolean;
  readonly startingPosition: StartingPosition;
  readonly startingPositionTimestamp: Date | undefined;
  readonly functionTimeoutMs: number;
  readonly memoryMb: number;
  readonly checkpointFile: string | undefined;
  readonly pollIntervalMs: number;
  readonly retryBackoffMs: number;
  readonly maxRetryBackoffMs: number;
  readonly invokeIdentityArn: string | undefined;
  readonly logger: EsmLogger;
  readonly now: () => number;
}

function consoleLogger(): EsmLogger {
  return (entry) => {
    if (entry.level === "warn" || entry.level === "error") console.error(`[esm] ${entry.level}: ${entry.message}`, entry.error ?? "");
  };
}

function inRange(name: string, value: number, min: number, max: number, allowMinusOne = false): number {
  if (!Number.isInteger(value) || ((value < min || value > max) && !(allowMinusOne && value === -1))) {
    throw new MappingConfigError(`${name} must be an integer in [${min}, ${max}]${allowMinusOne ? " or -1" : ""}, got ${value}`);
  }
  return value;
}

/** Applies AWS's defaults and rejects what `CreateEventSourceMapping` would reject. */
export function resolveOptions(options: EventSourceMappingOptions): ResolvedOptions {
  if ((options.kinesis === undefined) === (options.stream === undefined)) {
    throw new MappingConfigError("Give the mapping exactly one of kinesis (an SDK client) and stream (a StreamApi)");
  }
  const startingPosition = options.startingPosition ?? "TRIM_HORIZON";
  if (startingPosition === "AT_TIMESTAMP" && !options.startingPositionTimestamp) {
    throw new MappingConfigError("startingPositionTimestamp is required with startingPosition AT_TIMESTAMP");
  }
  const retries = inRange("maximumRetryAttempts", options.maximumRetryAttempts ?? -1, 0, 10_000, true);
  const age = inRange("maximumRecordAgeInSeconds", options.maximumRecordAgeInSeconds ?? -1, 60, 604_800, true);
  const responseTypes = options.functionResponseTypes ?? [];
  for (const type of responseTypes) {
    if (type !== "ReportBatchItemFailures") throw new MappingConfigError(`Unknown function response type ${String(type)}`);
  }
  const positive = (name: string, value: number) => inRange(name, value, 1, Number.MAX_SAFE_INTEGER);
  return {
    streamName: options.streamName,
    functionName: options.functionName,
    handler: options.handler,
    batchSize: inRange("batchSize", options.batchSize ?? 100, 1, 10_000),
    batchingWindowMs: inRange("maximumBatchingWindowInSeconds", options.maximumBatchingWindowInSeconds ?? 0, 0, 300) * 1000,
    parallelizationFactor: inRange("parallelizationFactor", options.parallelizationFactor ?? 1, 1, 10),
    bisect: options.bisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: retries === -1 ? Infinity : retries,
    maximumRecordAgeMs: age === -1 ? Infinity : age * 1000,
    reportBatchItemFailures: responseTypes.includes("ReportBatchItemFailures"),
    startingPosition,
    startingPositionTimestamp: options.startingPositionTimestamp,
    functionTimeoutMs: positive("functionTimeoutMs", options.functionTimeoutMs ?? 3000),
    memoryMb: positive("memoryMb", options.memoryMb ?? 128),
    checkpointFile: options.checkpointFile,
    pollIntervalMs: positive("pollIntervalMs", options.pollIntervalMs ?? 250),
    retryBackoffMs: inRange("retryBackoffMs", options.retryBackoffMs ?? 100, 0, Number.MAX_SAFE_INTEGER),
    maxRetryBackoffMs: inRange("maxRetryBackoffMs", options.maxRetryBackoffMs ?? 2000, 0, Number.MAX_SAFE_INTEGER),
    invokeIdentityArn: options.invokeIdentityArn,
    logger: options.logger ?? consoleLogger(),
    now: options.now ?? Date.now,
  };
}
