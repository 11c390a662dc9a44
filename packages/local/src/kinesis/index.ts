export { createKinesisService, type KinesisService, type KinesisServiceOptions } from "./service.ts";
export type { KinesisFaults } from "./context.ts";
export { KinesisApiError, KinesisStorageError } from "./errors.ts";
export { evenHashKeyRanges, partitionKeyHash, type HashKeyRange } from "./hash-keys.ts";
export { parseSequenceNumber, type SequenceNumberParts } from "./sequence-numbers.ts";
