import { AnomalyScoring } from "./anomaly-scoring.ts";
import { DeadLetterTriage } from "./dead-letter-triage.ts";
import { LakeFreshness } from "./lake-freshness.ts";
import { Load } from "./load.ts";
import { Maintenance } from "./maintenance.ts";
import type { WorkflowDescription } from "./types.ts";

export * from "./asl.ts";
export type * from "./types.ts";
export { scheduleInputOf } from "./types.ts";
export * from "./errors.ts";
export * from "./naming.ts";
export { checkWorkflows } from "./check.ts";
export { eventPatternOf } from "./event-pattern.ts";
export { STATEMENT_OWNER_KEY, ownStatementsCondition } from "./own-statements.ts";
export {
  LakeFreshness,
  LAKE_FRESHNESS_DEFAULT_THRESHOLD_MINUTES,
  LAKE_FRESHNESS_PAGE_SIZE,
  type LakeFreshnessState,
  type LakeFreshnessStatus,
} from "./lake-freshness.ts";
export {
  Load,
  LOAD_COMPLETED_DETAIL_TYPE,
  LOAD_COMPLETED_SOURCE,
  LOAD_DEFAULT_INTERVAL_MINUTES,
  LOAD_DEFAULT_POLL_SECONDS,
  LOAD_MAX_POLLS,
  LOAD_SCHEDULE_NAME,
  loadScheduleExpression,
} from "./load.ts";
export {
  Maintenance,
  MAINTENANCE_COMPLETED_DETAIL_TYPE,
  MAINTENANCE_COMPLETED_SOURCE,
  MAINTENANCE_DEFAULT_LOAD_WAIT_SECONDS,
  MAINTENANCE_DEFAULT_POLL_SECONDS,
  MAINTENANCE_SCHEDULE_NAME,
} from "./maintenance.ts";

export {
  DeadLetterTriage,
  DEAD_LETTERS_TRIAGED_DETAIL_TYPE,
  DEAD_LETTERS_TRIAGED_SOURCE,
  TRIAGE_SWEEP_SCHEDULE_NAME,
  deadLetterLandedPattern,
} from "./dead-letter-triage.ts";

/** Every workflow Freshet deploys, in AWS (`stacks/workflows.ts`) and locally (`@freshet/local`). */
export {
  AnomalyScoring,
  ANOMALY_DETECTED_DETAIL_TYPE,
  ANOMALY_DETECTED_SOURCE,
  ANOMALY_FALLBACK_SCHEDULE_NAME,
} from "./anomaly-scoring.ts";

export const WORKFLOWS: readonly WorkflowDescription[] = [LakeFreshness, Load, Maintenance, DeadLetterTriage, AnomalyScoring];
