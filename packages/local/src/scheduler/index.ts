export { createSchedulerService, type SchedulerService, type SchedulerServiceOptions } from "./service.ts";
export { nextInvocation, scheduleInput } from "./firing.ts";
export { SchedulerApiError } from "./errors.ts";
export type { ScheduleRecord, ScheduleTarget } from "./state.ts";
