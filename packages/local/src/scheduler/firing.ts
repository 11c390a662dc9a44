import { nextFireTimes, parseScheduleExpression } from "@freshet/eventbridge";
import { randomUUID } from "node:crypto";
import type { DeliveryEngine } from "../eventbridge/delivery.ts";
import { envelope } from "../eventbridge/event-envelope.ts";
import { runSchedule, type ScheduledJob } from "../eventbridge/schedule-timer.ts";
import { scheduleArn, type SchedulerContext } from "./operations.ts";
import type { ScheduleRecord } from "./state.ts";

/**
 * When a schedule fires: `cron` in its time zone, `rate` from its start date (or creation) and
 * every interval after, `at` once; never before `StartDate` nor after `EndDate`. A flexible time
 * window is honoured by firing at the start of the window.
 */
export function nextInvocation(schedule: ScheduleRecord, after: number): number | undefined {
  // Stored schedules were validated when created (seconds only where the service allowed them).
  const parsed = parseScheduleExpression(schedule.scheduleExpression, { allowAt: true, allowSeconds: true });
  const timezone = schedule.timezone ?? "UTC";
  let from = after;
  if (parsed.kind !== "at" && schedule.startDate !== undefined) from = Math.max(from, schedule.startDate - 1);
  let at: number | undefined;
  if (parsed.kind === "rate") {
    const anchor = new Date(schedule.startDate ?? schedule.createdAt);
    at = nextFireTimes(parsed, new Date(Math.max(from, anchor.getTime() - 1)), 1, { anchor })[0]?.getTime();
  } else {
    at = nextFireTimes(parsed, new Date(from), 1, { timezone })[0]?.getTime();
  }
  if (at === undefined || (parsed.kind !== "at" && schedule.endDate !== undefined && at > schedule.endDate)) return undefined;
  return at;
}

/**
 * The target's input with EventBridge Scheduler's context attributes filled in
 * (`<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>`,
 * `<aws.scheduler.attempt-number>`); `{}` when the target has no input.
 */
export function scheduleInput(schedule: ScheduleRecord, arn: string, at: number): string {
  const values: Record<string, string> = {
    "aws.scheduler.schedule-arn": arn,
    "aws.scheduler.scheduled-time": new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws.scheduler.execution-id": randomUUID(),
    "aws.scheduler.attempt-number": "1",
  };
  return (schedule.target.Input ?? "{}").replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Arms a schedule's timer: each firing sends the target its input through the delivery engine.
 * `justChanged`: armed as it is created or updated, so its invocations count from that instant (a
 * rate without a start date fires at once), not from when the timer got armed, which may be a
 * millisecond later; otherwise (re-armed on a restart) from now, past invocations skipped.
 */
export function armSchedule(
  ctx: SchedulerContext,
  schedule: ScheduleRecord,
  delivery: DeliveryEngine,
  onDone: (schedule: ScheduleRecord) => void,
  justChanged = false,
): ScheduledJob | undefined {
  if (schedule.state !== "ENABLED") return undefined;
  const arn = scheduleArn(ctx, schedule);
  const job = runSchedule(
    ctx.clock,
    (after) => {
      const at = nextInvocation(schedule, after);
      // Past the last invocation: a schedule with ActionAfterCompletion DELETE removes itself.
      if (at === undefined) queueMicrotask(() => onDone(schedule));
      return at;
    },
    (at) => {
      const input = scheduleInput(schedule, arn, at);
      const target = schedule.target;
      const bus = target.EventBridgeParameters;
      void delivery.send({
        source: arn,
        arn: target.Arn,
        roleArn: target.RoleArn,
        input,
        ...(bus
          ? { event: envelope({ source: bus.Source, detailType: bus.DetailType, detail: JSON.parse(input), account: ctx.accountId, region: ctx.region, time: at, resources: [arn] }) }
          : {}),
      });
    },
    (justChanged ? schedule.modifiedAt : Math.max(ctx.clock.now(), schedule.modifiedAt)) - 1,
  );
  return job;
}
