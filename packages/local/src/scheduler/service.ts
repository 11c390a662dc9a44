import { randomUUID } from "node:crypto";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { signingService } from "../endpoint/signing.ts";
import type { DeliveryEngine } from "../eventbridge/delivery.ts";
import { openDeliveringService, type DeliveringServiceOptions } from "../eventbridge/delivering-service.ts";
import type { ScheduledJob } from "../eventbridge/schedule-timer.ts";
import { SchedulerApiError } from "./errors.ts";
import { armSchedule } from "./firing.ts";
import {
  createSchedule,
  createScheduleGroup,
  deleteSchedule,
  deleteScheduleGroup,
  getSchedule,
  getScheduleGroup,
  listScheduleGroups,
  listSchedules,
  removeSchedule,
  updateSchedule,
  type JsonObject,
  type SchedulerCall,
  type SchedulerContext,
} from "./operations.ts";
import type { ScheduleRecord, SchedulerState } from "./state.ts";

/** Schedules and groups live in `<dataDir>/scheduler/`; the delivery engine may be shared with EventBridge. */
export interface SchedulerServiceOptions extends DeliveringServiceOptions {
  /** Accept the local-only `rate(N seconds)` (tests and demos); AWS rejects it, so off by default. */
  readonly allowSecondRates?: boolean;
}

export interface SchedulerService extends EndpointService {
  readonly name: "scheduler";
  readonly delivery: DeliveryEngine;
  /** Resolves when every invocation under way is delivered, given up or waiting for a retry. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

type Operation = (ctx: SchedulerContext, call: SchedulerCall) => object;

// REST-JSON routes of the SDK client: method, path shape, operation.
const ROUTES: readonly (readonly [string, RegExp, Operation])[] = [
  ["POST", /^\/schedules\/([^/]+)$/, createSchedule],
  ["GET", /^\/schedules\/([^/]+)$/, getSchedule],
  ["PUT", /^\/schedules\/([^/]+)$/, updateSchedule],
  ["DELETE", /^\/schedules\/([^/]+)$/, deleteSchedule],
  ["GET", /^\/schedules\/?$/, listSchedules],
  ["POST", /^\/schedule-groups\/([^/]+)$/, createScheduleGroup],
  ["GET", /^\/schedule-groups\/([^/]+)$/, getScheduleGroup],
  ["DELETE", /^\/schedule-groups\/([^/]+)$/, deleteScheduleGroup],
  ["GET", /^\/schedule-groups\/?$/, listScheduleGroups],
];

/**
 * Creates the embedded EventBridge Scheduler (REST-JSON, signing name `scheduler`): schedules
 * with `rate`, `cron` and `at` expressions in a time zone, start and end dates, and templated
 * targets (Step Functions, Lambda, SNS, EventBridge) called through the delivery engine.
 */
export function createSchedulerService(options: SchedulerServiceOptions): SchedulerService {
  const { region, accountId, clock, file, state, delivery } = openDeliveringService<SchedulerState>(options, "scheduler", { groups: [], schedules: [] });
  const jobs = new Map<ScheduleRecord, ScheduledJob>();
  let closed = false;

  const ctx: SchedulerContext = {
    region,
    accountId,
    clock,
    state,
    allowSecondRates: options.allowSecondRates ?? false,
    save: () => file.save(state),
    scheduleChanged: (schedule, deleted) => arm(schedule, deleted, true),
  };

  const finished = (schedule: ScheduleRecord) => {
    if (schedule.actionAfterCompletion === "DELETE" && state.schedules.includes(schedule)) removeSchedule(ctx, schedule);
  };

  function arm(schedule: ScheduleRecord, deleted = false, justChanged = false): void {
    jobs.get(schedule)?.stop();
    jobs.delete(schedule);
    if (deleted || closed) return;
    const job = armSchedule(ctx, schedule, delivery, finished, justChanged);
    if (job) jobs.set(schedule, job);
  }

  for (const schedule of [...state.schedules]) arm(schedule);

  return {
    name: "scheduler",
    delivery,
    matches: (req) => signingService(req) === "scheduler",
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      const requestId = randomUUID();
      try {
        if (closed) throw new SchedulerApiError("InternalServerException", 500, "The Scheduler service is shut down");
        for (const [method, shape, operation] of ROUTES) {
          const match = req.method === method ? shape.exec(req.path) : null;
          if (!match) continue;
          const name = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
          const output = operation(ctx, { name, query: req.query, body: parseBody(req.body) });
          return {
            status: 200,
            headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
            body: JSON.stringify(output),
          };
        }
        throw new SchedulerApiError("UnknownOperationException", 404, `No Scheduler operation for ${req.method} ${req.path}`);
      } catch (error) {
        if (error instanceof SchedulerApiError) return error.toResponse(requestId);
        throw error;
      }
    },
    idle: () => delivery.idle(),
    async close() {
      if (closed) return;
      closed = true;
      for (const job of jobs.values()) job.stop();
      jobs.clear();
      if (!options.delivery) delivery.close();
    },
  };
}

function parseBody(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // fall through
  }
  throw new SchedulerApiError("ValidationException", 400, "The request body is not a JSON object.");
}
