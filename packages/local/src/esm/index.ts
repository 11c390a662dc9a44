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
export { localStreamApi } from "./local-stream-api.ts";
export { sdkStreamApi } from "./sdk-stream-api.ts";
export type { IteratorPosition, RecordsPage, StreamApi, StreamIdentity } from "./stream-api.ts";
export { buildKinesisEvent, type StreamRecord } from "./kinesis-event.ts";
export {
  CheckpointFileError,
  EventSourceMappingError,
  ExpiredIteratorError,
  FunctionTimeoutError,
  InvalidPositionError,
  MappingConfigError,
  MappingNotIdleError,
} from "./errors.ts";
