export { createS3Service, type S3ServiceOptions } from "./service.ts";
export type { ObjectCreatedEvent } from "./context.ts";
export { S3Error, S3StorageError, type S3ErrorCode } from "./errors.ts";
export type { MissingKeyAnswer, MissingKeys } from "./missing-keys.ts";
