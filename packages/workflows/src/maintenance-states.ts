import { DEFAULT_MAINTENANCE_SETTINGS, LOAD_CLAIMS_PREFIX, MAINTENANCE_LEASE_KEY, buildHealthQuery } from "@freshet/core";
import { jsonata } from "./asl.ts";
import { THROTTLED, TRANSIENT } from "./retriers.ts";
import type { WorkflowResources } from "./types.ts";

/*
 * The Maintenance workflow's settings and its building blocks (maintenance.ts puts them
 * together): the input read over core's defaults, the health statement, and the states that
 * maintain one table under the lease. Its own module so that the workflow file reads as the
 * run's outline.
 */

export const MAINTENANCE_SCHEDULE_NAME = "Nightly";
export const MAINTENANCE_COMPLETED_SOURCE = "freshet.maintenance";
export const MAINTENANCE_COMPLETED_DETAIL_TYPE = "MaintenanceCompleted";
/** Seconds between DescribeStatement calls unless the input says otherwise (0..60; 0 suits only the local platform's millisecond statements). */
export const MAINTENANCE_DEFAULT_POLL_SECONDS = 30;
/** How long one VACUUM/ANALYZE may run before it is cancelled (at 30 s polls, 720 polls: within the 25,000 history events). */
export const MAINTENANCE_MAX_STATEMENT_SECONDS = 6 * 3600;
/** How long the health query may take before the run gives up. */
export const HEALTH_MAX_SECONDS = 600;
/** How long a table waits for running loads before it is deferred. */
export const MAINTENANCE_DEFAULT_LOAD_WAIT_SECONDS = 600;
/** A claim older than the Load workflow's own timeout (3600 s) belongs to a dead execution: not a load in flight (the planner's CLAIM_LEASE_MS). */
const LOAD_CLAIM_LIVE_MS = 3_600_000;
/** Added to every lease beyond its share of the budget. */
export const MAINTENANCE_LEASE_MARGIN_SECONDS = 300;

/** Statement failures worth one more try: another vacuum or a conflicting transaction was running. */
const RETRYABLE_STATEMENT_ERROR = /concurren|already (?:running|in progress)|serializ|lock/i;
const MAX_STATEMENT_RETRIES = 2;

export const input = (field: string, fallback: string) => `($type($states.input.${field}) = 'number' ? $states.input.${field} : ${fallback})`;

/** The input's thresholds over core's defaults; anything else in the input is refused by CheckSettings. */
export const THRESHOLDS = `$merge([${JSON.stringify(DEFAULT_MAINTENANCE_SETTINGS.thresholds)},
  $type($states.input.thresholds) = 'object' ? $states.input.thresholds : {}])`;
export const BUDGET_MINUTES = input("budgetMinutes", String(DEFAULT_MAINTENANCE_SETTINGS.budgetMinutes));

export const failureOf = (step: string) =>
  jsonata(`{ 'step': '${step}', 'error': $states.errorOutput.Error, 'cause': $states.errorOutput.Cause }`);

/**
 * Seconds before the next poll of a statement: 1, 2, 4, … up to `$pollSeconds`. Most ANALYZEs and
 * small VACUUMs end within a second or two, and the lease holds the loads back meanwhile: polling
 * at the full interval from the start would pause them for at least that long per table.
 */
export const BACKOFF = (polls: string) => `$min([$pollSeconds, $power(2, ${polls})])`;

export const toAlert = (step: string) => [{ ErrorEquals: ["States.ALL"], Assign: { failure: failureOf(step) }, Next: "AlertFailed" }];

/** Runs core's health query; WaitForHealth → DescribeHealth → HealthDone poll it (before and after, by `$phase`). */
export function healthStatement(r: WorkflowResources, name: string, phase: "before" | "after", next: string) {
  return {
    Type: "Task",
    Comment: `SVV_TABLE_INFO for Freshet's tables (${phase} maintaining them).`,
    Resource: "arn:aws:states:::aws-sdk:redshiftdata:executeStatement",
    Arguments: {
      WorkgroupName: r.warehouseWorkgroupName,
      Database: r.warehouseDatabase,
      Sql: buildHealthQuery(),
      StatementName: `freshet-maintenance-health-${phase}`,
    },
    TimeoutSeconds: 30,
    Retry: [THROTTLED, TRANSIENT],
    Catch: phase === "before" ? toAlert(name) : [{ ErrorEquals: ["States.ALL"], Next: "Report" }],
    Assign: { phase, statementId: jsonata("$states.result.Id"), statementStartedMs: jsonata("$millis()"), polls: 0 },
    Next: next,
  } as const;
}

/** One table: lease, wait for loads, its operations in order, release. Variables here are the iteration's own (`op…`). */
export function maintainTable(r: WorkflowResources) {
  const leaseKey = { Bucket: r.lakeBucket, Key: MAINTENANCE_LEASE_KEY };
  const outcome = (kind: string, extra = "") =>
    jsonata(`{ 'table': $item.table, 'decision': $item.decision, 'outcome': '${kind}',
      'durationSeconds': $round(($millis() - $opStartedMs) / 1000, 3)${extra} }`);
  const release = (next: string, comment: string) =>
    ({
      Type: "Task",
      Comment: comment,
      Resource: "arn:aws:states:::aws-sdk:s3:deleteObject",
      Arguments: leaseKey,
      TimeoutSeconds: 20,
      Retry: [TRANSIENT],
      // A lease left behind only pauses loads until its `until`.
      Catch: [{ ErrorEquals: ["States.ALL"], Next: next }],
      Next: next,
    }) as const;
  return {
    StartAt: "WithinBudget",
    States: {
      WithinBudget: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$millis() >= $deadline"), Next: "OutOfBudget" }],
        Default: "TakeLease",
      },
      OutOfBudget: {
        Type: "Pass",
        Output: jsonata("{ 'table': $states.input.item.table, 'decision': $states.input.item.decision, 'outcome': 'deferred', 'deferredBecause': 'budget' }"),
        End: true,
      },
      TakeLease: {
        Type: "Task",
        Comment: "The maintenance lease: the Load planner plans nothing while it is live.",
        Resource: "arn:aws:states:::aws-sdk:s3:putObject",
        Arguments: {
          ...leaseKey,
          ContentType: "application/json",
          Body: jsonata(
            `$string({ 'holder': $states.context.Execution.Name, 'table': $states.input.item.table,
              'until': $fromMillis($millis() + $loadWaitSeconds * 1000 + ${MAINTENANCE_LEASE_MARGIN_SECONDS * 1000}
                + ($deadline - $millis()) / ($states.input.count - $states.input.index)) })`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Catch: [
          {
            ErrorEquals: ["States.ALL"],
            Assign: { item: jsonata("$states.input.item"), opStartedMs: jsonata("$millis()"), opFailure: failureOf("TakeLease") },
            Next: "ReleaseAfterFailure",
          },
        ],
        Assign: {
          item: jsonata("$states.input.item"),
          opStartedMs: jsonata("$millis()"),
          opFailure: null,
          leaseWaits: 0,
          opIndex: 0,
          opRetries: 0,
        },
        Next: "ListLoads",
      },
      ListLoads: {
        Type: "Task",
        Comment: "Loads in flight: their live claims (younger than a claim's lease; an unreadable time counts as live).",
        Resource: "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        Arguments: { Bucket: r.lakeBucket, Prefix: LOAD_CLAIMS_PREFIX },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { opFailure: failureOf("ListLoads") }, Next: "ReleaseAfterFailure" }],
        Assign: {
          loadsInFlight: jsonata(
            `$count($states.result.Contents[$substring(Key, -5) = '.json' and
              ($type(LastModified) = 'string' and $contains(LastModified, 'T') ? $toMillis(LastModified) > $millis() - ${LOAD_CLAIM_LIVE_MS} : true)])`,
          ),
          leaseWaits: jsonata("$leaseWaits + 1"),
        },
        Next: "LoadsRunning",
      },
      LoadsRunning: {
        Type: "Choice",
        Choices: [
          { Condition: jsonata("$loadsInFlight > 0 and $millis() - $opStartedMs < $loadWaitSeconds * 1000"), Next: "WaitForLoads" },
          { Condition: jsonata("$loadsInFlight > 0"), Next: "ReleaseBusy" },
        ],
        Default: "RunOperation",
      },
      // Loads end in seconds; the lease already holds new ones back, so look again soon (1, 2, 4 … s).
      WaitForLoads: { Type: "Wait", Seconds: jsonata("$max([1, $min([$pollSeconds, $power(2, $leaseWaits - 1)])])"), Next: "ListLoads" },
      ReleaseBusy: release("LoadsBusy", "Loads kept running past loadWaitSeconds: give the warehouse back, defer the table."),
      LoadsBusy: {
        Type: "Pass",
        Output: outcome("deferred", ", 'deferredBecause': 'loads-in-flight'"),
        End: true,
      },
      RunOperation: {
        Type: "Task",
        Comment: "One statement alone: VACUUM cannot run inside a transaction block.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:executeStatement",
        Arguments: {
          WorkgroupName: r.warehouseWorkgroupName,
          Database: r.warehouseDatabase,
          Sql: jsonata("$item.operations[$opIndex].sql"),
          StatementName: jsonata("'freshet-maintenance-' & $item.operations[$opIndex].kind & '-' & $item.table"),
        },
        TimeoutSeconds: 30,
        // Only refusals the Data API answered before accepting the statement: a timed-out or failed
        // call may have started the VACUUM, and a second one would fail on it while the lease is
        // given back with the first still running beside the loads.
        Retry: [THROTTLED],
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { opFailure: failureOf("RunOperation") }, Next: "ReleaseAfterFailure" }],
        Assign: { opStatementId: jsonata("$states.result.Id"), opStatementStartedMs: jsonata("$millis()"), opPolls: 0 },
        Next: "WaitForOperation",
      },
      WaitForOperation: { Type: "Wait", Seconds: jsonata(BACKOFF("$opPolls")), Next: "DescribeOperation" },
      DescribeOperation: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:describeStatement",
        Arguments: { Id: jsonata("$opStatementId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { opFailure: failureOf("DescribeOperation") }, Next: "ReleaseAfterFailure" }],
        Assign: {
          opStatus: jsonata("$states.result.Status"),
          opError: jsonata("$exists($states.result.Error) ? $states.result.Error : null"),
          opPolls: jsonata("$opPolls + 1"),
        },
        Next: "OperationDone",
      },
      OperationDone: {
        Type: "Choice",
        Choices: [
          {
            Condition: jsonata("$opStatus = 'FINISHED' and $opIndex + 1 < $count($item.operations)"),
            Assign: { opIndex: jsonata("$opIndex + 1"), opRetries: 0 },
            Next: "RunOperation",
          },
          { Condition: jsonata("$opStatus = 'FINISHED'"), Next: "ReleaseLease" },
          {
            Condition: jsonata(
              `$opStatus in ['FAILED', 'ABORTED'] and $opRetries < ${MAX_STATEMENT_RETRIES} and $opError != null and $contains($opError, ${RETRYABLE_STATEMENT_ERROR})`,
            ),
            Assign: { opRetries: jsonata("$opRetries + 1") },
            Next: "WaitBeforeRetry",
          },
          {
            Condition: jsonata("$opStatus in ['FAILED', 'ABORTED']"),
            Assign: { opFailure: jsonata("{ 'step': $item.operations[$opIndex].kind, 'error': 'RedshiftData.' & $opStatus, 'cause': $opError }") },
            Next: "ReleaseAfterFailure",
          },
          { Condition: jsonata(`$millis() - $opStatementStartedMs >= ${MAINTENANCE_MAX_STATEMENT_SECONDS * 1000}`), Next: "CancelOperation" },
        ],
        Default: "WaitForOperation",
      },
      WaitBeforeRetry: { Type: "Wait", Seconds: jsonata("$max([$pollSeconds, 1]) * 2"), Next: "RunOperation" },
      CancelOperation: {
        Type: "Task",
        Comment: "Past the poll budget: stop the statement before giving the warehouse back to the loads.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:cancelStatement",
        Arguments: { Id: jsonata("$opStatementId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { opFailure: failureOf("CancelOperation") }, Next: "ReleaseAfterFailure" }],
        Assign: {
          opFailure: jsonata(
            `{ 'step': $item.operations[$opIndex].kind, 'error': 'Freshet.MaintenanceTimedOut', 'cause': 'statement ' & $opStatementId & ' still ' & $opStatus & ' after ${MAINTENANCE_MAX_STATEMENT_SECONDS} s; cancelled' }`,
          ),
        },
        Next: "ReleaseAfterFailure",
      },
      ReleaseLease: release("Maintained", "The table is done: loads may run again (between tables)."),
      Maintained: { Type: "Pass", Output: outcome("done"), End: true },
      ReleaseAfterFailure: release("OperationFailed", "Failed or not: give the warehouse back to the loads at once."),
      OperationFailed: { Type: "Pass", Output: outcome("failed", ", 'error': $opFailure"), End: true },
    },
  } as const;
}
