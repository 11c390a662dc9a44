/** A schedule as CreateSchedule/UpdateSchedule set it, with AWS's member names. */
export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly EventBridgeParameters?: { readonly DetailType: string; readonly Source: string };
  readonly RetryPolicy?: { readonly MaximumEventAgeInSeconds?: number; readonly MaximumRetryAttempts?: number };
  readonly [other: string]: unknown;
}

export interface ScheduleRecord {
  readonly name: string;
  readonly groupName: string;
  scheduleExpression: string;
  timezone?: string;
  /** Epoch ms. */
  startDate?: number;
  endDate?: number;
  description?: string;
  state: "ENABLED" | "DISABLED";
  flexibleTimeWindow: { readonly Mode: "OFF" | "FLEXIBLE"; readonly MaximumWindowInMinutes?: number };
  target: ScheduleTarget;
  actionAfterCompletion: "NONE" | "DELETE";
  kmsKeyArn?: string;
  readonly createdAt: number;
  modifiedAt: number;
}

export interface GroupRecord {
  readonly name: string;
  readonly createdAt: number;
}

export interface SchedulerState {
  groups: GroupRecord[];
  schedules: ScheduleRecord[];
}

export const DEFAULT_GROUP = "default";
