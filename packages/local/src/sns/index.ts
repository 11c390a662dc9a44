export { createSnsService, type LocalTopic, type SnsService, type SnsServiceOptions } from "./service.ts";
export { SnsApiError, SnsStorageError, type SnsErrorCode } from "./errors.ts";
export { topicArnOf, type SnsScope } from "./arns.ts";
export type { DeliveryRetryOptions } from "./delivery/retry.ts";
export { LOCAL_SIGNATURE, type HttpNotificationEnvelope } from "./delivery/envelope.ts";
export { sinkFile, type SinkRecord } from "./delivery/sink.ts";
export { MAX_MESSAGE_BYTES } from "./publish-operations.ts";
export { readAlerts, parseSince, formatAlerts, topicMatches, type Alert, type AlertQuery, type AlertReading } from "./alerts.ts";
export { AlertQueryError } from "./errors.ts";
