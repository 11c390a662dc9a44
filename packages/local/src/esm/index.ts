export { startEventSourceMapping, type EventSourceMapping } from "./mapping.ts";
export type {
  EsmLogEntry,
  EsmLogger,
  EventSourceMappingCounters,
  EventSourceMappingOptions,
  KinesisBatchHandler,
  KinesisBatchInfo,
  OnFailureCondition,
  OnFailureRecord,
  StartingPosition,
} from "./types.ts";
export { judgeBatchResponse, type BatchVerdict } from "./batch-response.ts";
export { buildKinesisEvent, type StreamRecord } from "./kinesis-event.ts";
export {
  CheckpointFileError,
  EventSourceMappingError,
  FunctionTimeoutError,
  MappingConfigError,
  MappingNotIdleError,
} from "./errors.ts";
