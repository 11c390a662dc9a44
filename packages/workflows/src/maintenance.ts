import {
  DEFAULT_MAINTENANCE_SCHEDULE,
  DEFAULT_MAINTENANCE_SETTINGS,
  LOAD_CLAIMS_PREFIX,
  MAINTENANCE_LEASE_KEY,
} from "@freshet/core";
import { jsonata, type Json, type StateMachineDefinition } from "./asl.ts";
import { THROTTLED, TRANSIENT } from "./retriers.ts";
import { decisionExpression, healthRows } from "./maintenance-decision.ts";
import {
  BACKOFF,
  BUDGET_MINUTES,
  HEALTH_MAX_SECONDS,
  MAINTENANCE_COMPLETED_DETAIL_TYPE,
  MAINTENANCE_COMPLETED_SOURCE,
  MAINTENANCE_DEFAULT_LOAD_WAIT_SECONDS,
  MAINTENANCE_DEFAULT_POLL_SECONDS,
  MAINTENANCE_SCHEDULE_NAME,
  THRESHOLDS,
  failureOf,
  healthStatement,
  input,
  maintainTable,
  toAlert,
} from "./maintenance-states.ts";
import { stateMachineArn } from "./naming.ts";
import type { WorkflowDescription, WorkflowPermission, WorkflowResources } from "./types.ts";

// The workflow's public settings live with its building blocks (maintenance-states.ts).
export { MAINTENANCE_SCHEDULE_NAME, MAINTENANCE_COMPLETED_SOURCE, MAINTENANCE_COMPLETED_DETAIL_TYPE, MAINTENANCE_DEFAULT_POLL_SECONDS, MAINTENANCE_MAX_STATEMENT_SECONDS, MAINTENANCE_DEFAULT_LOAD_WAIT_SECONDS, MAINTENANCE_LEASE_MARGIN_SECONDS } from "./maintenance-states.ts";

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
      ownStatements: true,
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
