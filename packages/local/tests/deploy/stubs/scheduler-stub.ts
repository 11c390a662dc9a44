/**
 * A stand-in for EventBridge Scheduler (REST-JSON, `/schedules/{Name}`) with the calls a
 * deployment makes: Get (404 `ResourceNotFoundException`), Create (409 `ConflictException` when it
 * exists), Update (replaces everything), Delete, List. Expressions get a shape check only.
 */
import type { EndpointService } from "../../../src/endpoint/service.ts";
import { signingService } from "../../../src/endpoint/signing.ts";
import { json, StubApiError, type RecordedCall } from "./recorder.ts";

export interface SchedulerStub extends EndpointService {
  readonly calls: RecordedCall[];
  readonly schedules: Map<string, Record<string, any>>;
}

const EXPRESSION = /^(rate\(1 (minute|hour|day)\)|rate\(([2-9]|[1-9]\d+) (minutes|hours|days)\)|cron\(.+\)|at\(.+\))$/;
const FIELDS = ["ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "State", "Target", "Description"];

export function createSchedulerStub(options: { accountId: string; region?: string }): SchedulerStub {
  const calls: RecordedCall[] = [];
  const schedules = new Map<string, Record<string, any>>();
  const arnOf = (name: string) => `arn:aws:scheduler:${options.region ?? "us-east-1"}:${options.accountId}:schedule/default/${name}`;
  const existing = (name: string) => {
    const found = schedules.get(name);
    if (!found) throw new StubApiError("ResourceNotFoundException", `Schedule ${name} does not exist.`, 404);
    return found;
  };
  const store = (name: string, input: Record<string, any>) => {
    if (!EXPRESSION.test(String(input.ScheduleExpression))) {
      throw new StubApiError("ValidationException", `Invalid Schedule Expression ${String(input.ScheduleExpression)}.`);
    }
    const schedule = Object.fromEntries(FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
    schedules.set(name, { ...schedule, Name: name, GroupName: "default", Arn: arnOf(name) });
    return { ScheduleArn: arnOf(name) };
  };

  return {
    name: "scheduler-stub",
    calls,
    schedules,
    matches: (req) => signingService(req) === "scheduler",
    async handle(req) {
      const input = req.body.length > 0 ? (JSON.parse(req.body.toString("utf8")) as Record<string, any>) : {};
      const name = req.path.startsWith("/schedules/") ? decodeURIComponent(req.path.slice("/schedules/".length)) : undefined;
      const operation = name === undefined ? "ListSchedules" : ({ GET: "GetSchedule", POST: "CreateSchedule", PUT: "UpdateSchedule", DELETE: "DeleteSchedule" } as Record<string, string>)[req.method] ?? req.method;
      calls.push({ operation, input: { ...input, ...(name === undefined ? Object.fromEntries(req.query) : { Name: name }) } });
      try {
        switch (operation) {
          case "GetSchedule":
            return json(200, existing(name!), "application/json");
          case "CreateSchedule":
            if (schedules.has(name!)) throw new StubApiError("ConflictException", `Schedule ${name} already exists.`, 409);
            return json(200, store(name!, input), "application/json");
          case "UpdateSchedule":
            existing(name!);
            return json(200, store(name!, input), "application/json");
          case "DeleteSchedule":
            existing(name!);
            schedules.delete(name!);
            return json(200, {}, "application/json");
          case "ListSchedules": {
            const prefix = req.query.get("NamePrefix") ?? "";
            const listed = [...schedules.values()].filter((s) => String(s.Name).startsWith(prefix));
            return json(200, { Schedules: listed.map((s) => ({ Name: s.Name, GroupName: s.GroupName, Arn: s.Arn, State: s.State, Target: { Arn: s.Target?.Arn } })) }, "application/json");
          }
          default:
            throw new StubApiError("UnknownOperationException", `stub has no ${req.method} ${req.path}`);
        }
      } catch (error) {
        if (!(error instanceof StubApiError)) throw error;
        return { status: error.status, headers: { "content-type": "application/json", "x-amzn-errortype": error.code }, body: JSON.stringify({ Message: error.message }) };
      }
    },
  };
}
