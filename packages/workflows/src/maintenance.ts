import {
  DEFAULT_MAINTENANCE_SCHEDULE,
  DEFAULT_MAINTENANCE_SETTINGS,
  LOAD_CLAIMS_PREFIX,
  MAINTENANCE_LEASE_KEY,
  buildHealthQuery,
} from "@freshet/core";
import { jsonata, type Json, type StateMachineDefinition } from "./asl.ts";
import { OWN_STATEMENTS_CONDITION } from "./load.ts";
import { THROTTLED, TRANSIENT } from "./retriers.ts";
import { decisionExpression, healthRows } from "./maintenance-decision.ts";
import { stateMachineArn } from "./naming.ts";
import type { WorkflowDescription, WorkflowPermission, WorkflowResources } from "./types.ts";

/**
 * Maintenance: VACUUM and ANALYZE where the warehouse's tables need them, nightly and on demand.
 *
 * Health (core's SVV_TABLE_INFO query through the Data API: ExecuteStatement, then Wait →
 * DescribeStatement → Choice, then GetStatementResult) → Decide (core's `decideMaintenance`,
 * written in JSONata: maintenance-decision.ts; thresholds from the input, defaults from core) →
 * Maintain, one table at a time (Map, MaxConcurrency 1): each operation is its own
 * ExecuteStatement (VACUUM cannot run in a transaction block), polled to completion → Health
 * again → `MaintenanceCompleted` on the Freshet bus with, per table, the decision, the reason
 * (the numbers), the outcome, its duration, and health before and after. Failures go to OpsAlerts.
 *
 * Never beside a Load: before each table the workflow takes the maintenance lease
 * (`manifests/state/maintenance-lease.json`, `{ holder, table, until }`), then waits until no
 * load claim is live under `manifests/in-flight/`, runs the table's operations and deletes the
 * lease (on failure too). The Load planner reads the lease before planning and again after
 * writing its claim, and plans nothing while it is live (packages/functions/src/load/plan.ts):
 * the lease is written before the claims are listed and the claim before the lease is re-read,
 * so one of the two always sees the other. `until` is now + the wait for loads + the table's
 * share of the remaining budget + a margin, so a maintenance that died frees the loads by
 * expiry; and loads run between tables, when no lease is held. A table whose loads do not end
 * within `loadWaitSeconds` is deferred, like the tables the budget did not reach.
 */

export const MAINTENANCE_SCHEDULE_NAME = "Nightly";
export const MAINTENANCE_COMPLETED_SOURCE = "freshet.maintenance";
export const MAINTENANCE_COMPLETED_DETAIL_TYPE = "MaintenanceCompleted";
/** Seconds between DescribeStatement calls unless the input says otherwise (0..60; 0 suits only the local platform's millisecond statements). */
export const MAINTENANCE_DEFAULT_POLL_SECONDS = 30;
/** How long one VACUUM/ANALYZE may run before it is cancelled (at 30 s polls, 720 polls: within the 25,000 history events). */
export const MAINTENANCE_MAX_STATEMENT_SECONDS = 6 * 3600;
/** How long the health query may take before the run gives up. */
const HEALTH_MAX_SECONDS = 600;
/** How long a table waits for running loads before it is deferred. */
export const MAINTENANCE_DEFAULT_LOAD_WAIT_SECONDS = 600;
/** A claim older than the Load workflow's own timeout (3600 s) belongs to a dead execution: not a load in flight (the planner's CLAIM_LEASE_MS). */
const LOAD_CLAIM_LIVE_MS = 3_600_000;
/** Added to every lease beyond its share of the budget. */
export const MAINTENANCE_LEASE_MARGIN_SECONDS = 300;

/** Statement failures worth one more try: another vacuum or a conflicting transaction was running. */
const RETRYABLE_STATEMENT_ERROR = /concurren|already (?:running|in progress)|serializ|lock/i;
const MAX_STATEMENT_RETRIES = 2;

const input = (field: string, fallback: string) => `($type($states.input.${field}) = 'number' ? $states.input.${field} : ${fallback})`;

/** The input's thresholds over core's defaults; anything else in the input is refused by CheckSettings. */
const THRESHOLDS = `$merge([${JSON.stringify(DEFAULT_MAINTENANCE_SETTINGS.thresholds)},
  $type($states.input.thresholds) = 'object' ? $states.input.thresholds : {}])`;
const BUDGET_MINUTES = input("budgetMinutes", String(DEFAULT_MAINTENANCE_SETTINGS.budgetMinutes));

const failureOf = (step: string) =>
  jsonata(`{ 'step': '${step}', 'error': $states.errorOutput.Error, 'cause': $states.errorOutput.Cause }`);

/**
 * Seconds before the next poll of a statement: 1, 2, 4, … up to `$pollSeconds`. Most ANALYZEs and
 * small VACUUMs end within a second or two, and the lease holds the loads back meanwhile: polling
 * at the full interval from the start would pause them for at least that long per table.
 */
const BACKOFF = (polls: string) => `$min([$pollSeconds, $power(2, ${polls})])`;

const toAlert = (step: string) => [{ ErrorEquals: ["States.ALL"], Assign: { failure: failureOf(step) }, Next: "AlertFailed" }];

/** Runs core's health query; WaitForHealth → DescribeHealth → HealthDone poll it (before and after, by `$phase`). */
function healthStatement(r: WorkflowResources, name: string, phase: "before" | "after", next: string) {
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
function maintainTable(r: WorkflowResources) {
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

function definition(r: WorkflowResources): StateMachineDefinition {
  const warehouseStatement = (Id: string) => ({ Id: jsonata(Id) });
  return {
    Comment: "VACUUM / ANALYZE where SVV_TABLE_INFO says a table needs it, one table at a time, never beside a load; announce MaintenanceCompleted.",
    QueryLanguage: "JSONata",
    // The budget is at most a day; the last operation may run past it.
    TimeoutSeconds: 30 * 3600,
    StartAt: "Settings",
    States: {
      Settings: {
        Type: "Pass",
        Comment: "Thresholds and budget: the input's (a stage's schedule, or `freshet executions start`), else core's defaults.",
        Assign: {
          thresholds: jsonata(THRESHOLDS),
          budgetMinutes: jsonata(BUDGET_MINUTES),
          deadline: jsonata(`$millis() + ${BUDGET_MINUTES} * 60000`),
          pollSeconds: jsonata(input("pollSeconds", String(MAINTENANCE_DEFAULT_POLL_SECONDS))),
          loadWaitSeconds: jsonata(input("loadWaitSeconds", String(MAINTENANCE_DEFAULT_LOAD_WAIT_SECONDS))),
          healthBefore: [],
          healthAfter: [],
          decisions: [],
          results: [],
          failure: null,
        },
        Next: "OnlyRun",
      },
      OnlyRun: {
        Type: "Task",
        Comment: "Two runs (the nightly one and an on-demand one) would share one lease: a run that finds another one running leaves.",
        Resource: "arn:aws:states:::aws-sdk:sfn:listExecutions",
        Arguments: { StateMachineArn: jsonata("$states.context.StateMachine.Id"), StatusFilter: "RUNNING", MaxResults: 10 },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Catch: toAlert("OnlyRun"),
        Assign: { othersRunning: jsonata("$count($states.result.Executions[ExecutionArn != $states.context.Execution.Id])") },
        Next: "AlreadyRunning",
      },
      AlreadyRunning: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$othersRunning > 0"), Next: "LeftToTheOtherRun" }],
        Default: "CheckSettings",
      },
      LeftToTheOtherRun: {
        Type: "Succeed",
        Output: jsonata("{ 'skipped': 'another Maintenance execution is running', 'maintained': 0, 'deferred': 0, 'failed': 0, 'tables': [] }"),
      },
      CheckSettings: {
        Type: "Choice",
        Comment: "The same bounds as core's maintenanceSettings: a bad input fails at once, naming what it got.",
        Choices: [
          {
            Condition: jsonata(
              `$count($keys($thresholds)[$not($ in ${JSON.stringify(Object.keys(DEFAULT_MAINTENANCE_SETTINGS.thresholds))})]) = 0 and
              $count([$thresholds.statsOffPct, $thresholds.minUnsortedPct, $thresholds.maxUnsortedPct, $thresholds.deletedPct][$type($) = 'number' and $ >= 0 and $ < 100]) = 4 and
              $thresholds.maxUnsortedPct > $thresholds.minUnsortedPct and
              $type($thresholds.largeTableMb) = 'number' and $thresholds.largeTableMb >= 1 and $thresholds.largeTableMb = $floor($thresholds.largeTableMb) and
              $budgetMinutes >= 1 and $budgetMinutes <= 1440 and $budgetMinutes = $floor($budgetMinutes) and
              $pollSeconds >= 0 and $pollSeconds <= 60 and $pollSeconds = $floor($pollSeconds) and
              $loadWaitSeconds >= 0 and $loadWaitSeconds <= 3600`,
            ),
            Next: "ReadHealth",
          },
        ],
        Default: "InvalidSettings",
      },
      InvalidSettings: {
        Type: "Fail",
        Error: "Freshet.InvalidMaintenanceSettings",
        Cause: jsonata(
          `'thresholds ' & $string($thresholds) & ', budgetMinutes ' & $string($budgetMinutes) & ', pollSeconds ' & $string($pollSeconds) &
            ', loadWaitSeconds ' & $string($loadWaitSeconds) & ': percentages must be 0..<100 with maxUnsortedPct > minUnsortedPct, largeTableMb a whole number ≥ 1, budgetMinutes 1..1440, pollSeconds 0..60, loadWaitSeconds 0..3600'`,
        ),
      },
      ReadHealth: healthStatement(r, "ReadHealth", "before", "WaitForHealth"),
      WaitForHealth: { Type: "Wait", Seconds: jsonata(BACKOFF("$polls")), Next: "DescribeHealth" },
      DescribeHealth: {
        Type: "Task",
        Comment: "The Data API has no .sync integration: poll until FINISHED, FAILED or ABORTED.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:describeStatement",
        Arguments: warehouseStatement("$statementId"),
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("DescribeHealth"),
        Assign: {
          status: jsonata("$states.result.Status"),
          statementError: jsonata("$exists($states.result.Error) ? $states.result.Error : null"),
          polls: jsonata("$polls + 1"),
        },
        Next: "HealthDone",
      },
      HealthDone: {
        Type: "Choice",
        Choices: [
          { Condition: jsonata("$status = 'FINISHED'"), Next: "GetHealth" },
          // Health after maintenance is for the report only: report without it.
          { Condition: jsonata(`$phase = 'after' and ($status in ['FAILED', 'ABORTED'] or $millis() - $statementStartedMs >= ${HEALTH_MAX_SECONDS * 1000})`), Next: "Report" },
          {
            Condition: jsonata(`$status in ['FAILED', 'ABORTED'] or $millis() - $statementStartedMs >= ${HEALTH_MAX_SECONDS * 1000}`),
            Assign: { failure: jsonata("{ 'step': 'ReadHealth', 'error': 'RedshiftData.' & $status, 'cause': $statementError }") },
            Next: "AlertFailed",
          },
        ],
        Default: "WaitForHealth",
      },
      GetHealth: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:getStatementResult",
        Arguments: warehouseStatement("$statementId"),
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { failure: failureOf("GetHealth") }, Next: "HealthFailedWhen" }],
        Assign: {
          healthBefore: jsonata(`$phase = 'before' ? ${healthRows("$states.result.Records")} : $healthBefore`),
          healthAfter: jsonata(`$phase = 'after' ? ${healthRows("$states.result.Records")} : $healthAfter`),
        },
        Next: "HealthRead",
      },
      HealthFailedWhen: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$phase = 'after'"), Next: "Report" }],
        Default: "AlertFailed",
      },
      HealthRead: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$phase = 'before'"), Next: "Decide" }],
        Default: "Report",
      },
      Decide: {
        Type: "Pass",
        Comment: "core's decideMaintenance, in JSONata (tests/maintenance-decision.test.ts proves they agree).",
        Assign: { decisions: jsonata(`($health := $healthBefore; ${decisionExpression()})`) },
        Next: "Maintain",
      },
      Maintain: {
        Type: "Map",
        Comment: "One table at a time, smallest first; each under the maintenance lease.",
        Items: jsonata("[$decisions[$count(operations) > 0]]"),
        ItemSelector: {
          item: jsonata("$states.context.Map.Item.Value"),
          index: jsonata("$states.context.Map.Item.Index"),
          count: jsonata("$count($decisions[$count(operations) > 0])"),
        },
        MaxConcurrency: 1,
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, ...maintainTable(r) },
        Catch: toAlert("Maintain"),
        Assign: { results: jsonata("[$states.result]") },
        Next: "ReadHealthAfter",
      },
      ReadHealthAfter: healthStatement(r, "ReadHealthAfter", "after", "WaitForHealth"),
      Report: {
        Type: "Task",
        Comment: "MaintenanceCompleted on the Freshet bus: per table the decision, its reason, outcome, duration, health before and after.",
        Resource: "arn:aws:states:::events:putEvents",
        Arguments: {
          Entries: [
            {
              EventBusName: r.busName,
              Source: MAINTENANCE_COMPLETED_SOURCE,
              DetailType: MAINTENANCE_COMPLETED_DETAIL_TYPE,
              Detail: jsonata(REPORT),
            },
          ],
        },
        TimeoutSeconds: 30,
        Retry: [TRANSIENT],
        Catch: toAlert("Report"),
        Assign: { report: jsonata(REPORT) },
        Next: "AnyFailed",
      },
      AnyFailed: {
        Type: "Choice",
        Choices: [
          {
            Condition: jsonata("$report.failed > 0"),
            Assign: {
              failure: jsonata(
                `{ 'step': 'Maintain', 'error': 'Freshet.MaintenanceOperationFailed',
                  'cause': $join($map($results[outcome = 'failed'], function($f) { $f.table & ': ' & $f.error.step & ': ' & $f.error.error & ': ' & $string($f.error.cause) }), '; ') }`,
              ),
            },
            Next: "AlertFailed",
          },
        ],
        Default: "Completed",
      },
      Completed: {
        Type: "Succeed",
        Output: jsonata("$merge([$report, { 'tables': [$report.tables[outcome != 'none']] }])"),
      },
      AlertFailed: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: r.opsAlertsTopicArn,
          Subject: jsonata("'Freshet: warehouse maintenance failed at ' & $failure.step"),
          Message: jsonata(
            `'The Maintenance workflow failed at ' & $failure.step & ' (' & $failure.error & ': ' & $string($failure.cause) & ').' &
              ' Failed tables are retried by the next run; loads resume once the lease is released or expires.' &
              ' Execution ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Next: "MaintenanceFailed",
      },
      MaintenanceFailed: {
        Type: "Fail",
        Error: "Freshet.MaintenanceFailed",
        Cause: jsonata("$failure.step & ': ' & $failure.error & ': ' & $string($failure.cause)"),
      },
    },
  };
}

/** The MaintenanceCompleted detail (also the execution's output): every table, and what became of it. */
const REPORT = `(
  $at := function($list, $name) { ($h := $list[table = $name][0]; $exists($h) ? $h : null) };
  $tables := [$map($decisions, function($d) { (
    $r := $at($results, $d.table);
    {
      'table': $d.table,
      'decision': $d.decision,
      'operations': [$d.operations.sql],
      'reason': $d.reason,
      'outcome': $r != null ? $r.outcome : 'none',
      'deferredBecause': $r != null and $exists($r.deferredBecause) ? $r.deferredBecause : null,
      'durationSeconds': $r != null and $exists($r.durationSeconds) ? $r.durationSeconds : 0,
      'error': $r != null and $exists($r.error) ? $r.error : null,
      'before': $at($healthBefore, $d.table),
      'after': $at($healthAfter, $d.table)
    }
  ) })];
  {
    'executionId': $states.context.Execution.Id,
    'startedAt': $states.context.Execution.StartTime,
    'budgetMinutes': $budgetMinutes,
    'thresholds': $thresholds,
    'maintained': $count($tables[outcome = 'done']),
    'deferred': $count($tables[outcome = 'deferred']),
    'failed': $count($tables[outcome = 'failed']),
    'tables': $tables
  }
)`;

function permissions(r: WorkflowResources): WorkflowPermission[] {
  const lake = `arn:${r.partition}:s3:::${r.lakeBucket}`;
  return [
    { actions: ["redshift-data:ExecuteStatement"], resources: [r.warehouseWorkgroupArn] },
    {
      actions: ["redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"],
      resources: ["*"],
      conditions: OWN_STATEMENTS_CONDITION,
    },
    // The Data API signs in to the workgroup as the caller (temporary database credentials, freshet_maintainer).
    { actions: ["redshift-serverless:GetCredentials"], resources: [r.warehouseWorkgroupArn] },
    // The lease object only: the workflow reads no lake data and deletes nothing else.
    { actions: ["s3:DeleteObject", "s3:PutObject"], resources: [`${lake}/${MAINTENANCE_LEASE_KEY}`] },
    // ListObjectsV2 is s3:ListBucket, here only on the load claims' prefix.
    { actions: ["s3:ListBucket"], resources: [lake], conditions: { StringLike: { "s3:prefix": [`${LOAD_CLAIMS_PREFIX}*`] } } },
    { actions: ["events:PutEvents"], resources: [r.busArn] },
    { actions: ["sns:Publish"], resources: [r.opsAlertsTopicArn] },
    // Its own running executions only (one run at a time).
    { actions: ["states:ListExecutions"], resources: [stateMachineArn(r, "Maintenance")] },
  ];
}

/** The Nightly schedule's input: empty, so core's defaults apply unless a stage passes its own (stacks/config.ts). */
export const MAINTENANCE_DEFAULT_INPUT: Json = {};

export const Maintenance: WorkflowDescription = {
  name: "Maintenance",
  summary: "Nightly (per stage) and on demand: VACUUM / ANALYZE the warehouse tables SVV_TABLE_INFO says need it, one at a time, never beside a load.",
  definition,
  schedules: [{ name: MAINTENANCE_SCHEDULE_NAME, expression: DEFAULT_MAINTENANCE_SCHEDULE, input: MAINTENANCE_DEFAULT_INPUT }],
  rules: [],
  permissions,
};
