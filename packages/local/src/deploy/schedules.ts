import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  UpdateScheduleCommand,
  type CreateScheduleInput,
  type GetScheduleOutput,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { sameJson } from "./same-json.ts";
import type { DeployAction } from "./types.ts";

export interface ScheduleSpec {
  readonly name: string;
  readonly expression: string;
  readonly targetArn: string;
  readonly roleArn: string;
  readonly input: string;
}

/** As `stacks/workflows.ts` deploys them: default group, UTC, no flexible window, enabled. */
function request(spec: ScheduleSpec): CreateScheduleInput {
  return {
    Name: spec.name,
    ScheduleExpression: spec.expression,
    ScheduleExpressionTimezone: "UTC",
    FlexibleTimeWindow: { Mode: "OFF" },
    State: "ENABLED",
    Target: { Arn: spec.targetArn, RoleArn: spec.roleArn, Input: spec.input },
  };
}

/** Creates the schedule, or updates it when anything deployed differs (UpdateSchedule replaces all). */
export async function ensureSchedule(scheduler: SchedulerClient, spec: ScheduleSpec): Promise<DeployAction> {
  const current = await getSchedule(scheduler, spec.name);
  const wanted = request(spec);
  if (!current) {
    await scheduler.send(new CreateScheduleCommand(wanted));
    return "created";
  }
  if (matches(current, spec)) return "unchanged";
  await scheduler.send(new UpdateScheduleCommand(wanted));
  return "updated";
}

function matches(current: GetScheduleOutput, spec: ScheduleSpec): boolean {
  return (
    current.ScheduleExpression === spec.expression &&
    (current.ScheduleExpressionTimezone ?? "UTC") === "UTC" &&
    current.FlexibleTimeWindow?.Mode === "OFF" &&
    current.State === "ENABLED" &&
    current.Target?.Arn === spec.targetArn &&
    current.Target?.RoleArn === spec.roleArn &&
    sameJson(current.Target?.Input ?? "{}", spec.input)
  );
}

async function getSchedule(scheduler: SchedulerClient, name: string): Promise<GetScheduleOutput | undefined> {
  try {
    return await scheduler.send(new GetScheduleCommand({ Name: name }));
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/**
 * Deletes the schedules of the default group that start one of this stage's state machines
 * (target ARN under `stateMachineArnPrefix`) but are no longer described: what `sst deploy`
 * does to a removed resource. Schedules starting anything else are left alone.
 */
export async function pruneSchedules(
  scheduler: SchedulerClient,
  stateMachineArnPrefix: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const deleted: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await scheduler.send(new ListSchedulesCommand({ NextToken, MaxResults: 100 }));
    for (const s of page.Schedules ?? []) {
      if (!s.Name || keep.has(s.Name) || !s.Target?.Arn?.startsWith(stateMachineArnPrefix)) continue;
      await scheduler.send(new DeleteScheduleCommand({ Name: s.Name, GroupName: s.GroupName }));
      deleted.push(s.Name);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return deleted;
}
