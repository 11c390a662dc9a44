export { createEventBridgeService, type EventBridgeService, type EventBridgeServiceOptions } from "./service.ts";
export { createDeliveryEngine, LOCAL_RETRY_POLICY, type DeliveryEngine, type DeliveryLogEntry, type DeliveryOptions, type DeliveryRequest, type RetryPolicy } from "./delivery.ts";
export { systemClock, TestClock, timerClockFrom, type TimerClock, type Timer } from "./clock.ts";
export { s3ObjectCreatedEvent, scheduledEvent, envelope, eventTime, type EventEnvelope, type ObjectCreatedNotice } from "./event-envelope.ts";
export { runSchedule, type ScheduledJob } from "./schedule-timer.ts";
export { EventBridgeApiError, DeliveryError, EventBridgeStorageError } from "./errors.ts";
export type { LocalLambdaHandler, LocalFunctions } from "./target-kinds.ts";
export { MAX_PUT_EVENTS_BYTES, MAX_PUT_EVENTS_ENTRIES, entrySize } from "./events-operations.ts";
export { MAX_TARGETS_PER_RULE } from "./target-operations.ts";
