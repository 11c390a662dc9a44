import { LOAD_CLAIMS_PREFIX, LOAD_ERROR_COLUMNS, LOAD_SUMMARY_COLUMNS } from "@freshet/core";
import { incidentStates, incidentPermissions } from "./load-incidents.ts";
import { jsonata, type StateMachineDefinition } from "./asl.ts";
import { BACKOFF } from "./maintenance-states.ts";
import { LAMBDA_TRANSIENT, THROTTLED, TRANSIENT } from "./retriers.ts";

export { THROTTLED, TRANSIENT } from "./retriers.ts";
import type { WorkflowDescription, WorkflowPermission, WorkflowResources } from "./types.ts";

/**
 * Load: processed events → warehouse rows, every few minutes.
 *
 * Plan (the `LoadPlanner` function takes the next whole batches from the batch receipts no load
 * has recorded, or, in the first interval of each hour, lists processed/ against the ledger as a
 * reconciliation; it writes `manifests/<loadId>.json` and returns the load's SQL) → nothing to
 * do? Succeed → Copy (one BatchExecuteStatement: one transaction staging, COPY … MANIFEST, dedupe
 * on event_id, insert, ledger row, accounting) → poll DescribeStatement until FINISHED / FAILED /
 * ABORTED → on success read the load summary (the batch's last sub-statement, `<Id>:<n>`) and put
 * `LoadCompleted` on the Freshet bus; on failure read the load errors, alert OpsAlerts (once per
 * incident, load-incidents.ts: the run that opens an outage or a rejected-file incident alerts, the
 * first run that loads again sends one recovery notice) and fail.
 * The manifest stays: the next run plans the same objects (the same load id) and tries again. One
 * poll loop serves both statements (`$phase`: the copy, then the load-errors query).
 *
 * Concurrency: a running load claims its objects (`manifests/in-flight/`, deleted by
 * ReleaseClaim or ReleaseFailedClaim when it ends), so the next run plans other objects; and the
 * transaction takes `LOCK load_lock` first, re-checks the ledger and dedupes against `events`,
 * so two runs that did plan the same objects load them once (the later one is `superseded`).
 * See packages/functions/src/load/plan.ts.
 */

export const LOAD_SCHEDULE_NAME = "Interval";
export const LOAD_DEFAULT_INTERVAL_MINUTES = 5;
/**
 * The longest wait between DescribeStatement calls unless the input says otherwise (1..60). The
 * waits start at 1 s and double up to it (Wait takes whole seconds), so a load that takes a
 * second is not reported five seconds late.
 */
export const LOAD_DEFAULT_POLL_SECONDS = 5;
/**
 * A statement is given up (cancelled, alerted) once it has run this many poll periods: 30
 * minutes at the default 5 s. A budget in time, since the waits vary (`$deadline`).
 */
export const LOAD_MAX_POLLS = 360;
export const LOAD_COMPLETED_SOURCE = "freshet.load";
export const LOAD_COMPLETED_DETAIL_TYPE = "LoadCompleted";

/** `rate(…)` as EventBridge Scheduler spells it: singular for one. */
export function loadScheduleExpression(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1) throw new RangeError(`a load interval is a whole number of minutes ≥ 1, got ${minutes}`);
  return minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`;
}

/**
 * The Load schedule's input for its expression: the interval (recorded with each load for the
 * freshness view) and a poll period no longer than the interval (5 s at most), so a load every
 * second locally polls every second rather than overlapping five runs.
 */
export function loadScheduleInput(expression: string): { intervalSeconds: number; pollSeconds: number } | Record<string, never> {
  const match = /^rate\((\d+) (second|minute|hour|day)s?\)$/.exec(expression);
  if (!match) return {};
  const unit = { second: 1, minute: 60, hour: 3600, day: 86_400 }[match[2] as "second" | "minute" | "hour" | "day"];
  const intervalSeconds = Number(match[1]) * unit;
  return { intervalSeconds, pollSeconds: Math.max(1, Math.min(LOAD_DEFAULT_POLL_SECONDS, intervalSeconds)) };
}

/**
 * A statement just submitted (assigned by the state that submitted it): its first poll soon,
 * its deadline `LOAD_MAX_POLLS` poll periods from now (`$millis()`: when Assign is evaluated).
 */
const firstPoll = {
  polls: 0,
  deadline: jsonata(`$millis() + ${LOAD_MAX_POLLS} * $pollSeconds * 1000`),
} as const;

/** Any failure of a step: remembered for the alert, then alerted. */
const toAlert = (step: string, assign: Record<string, null | readonly []> = {}) => [
  {
    ErrorEquals: ["States.ALL"],
    Assign: { ...assign, failure: jsonata(`{ 'step': '${step}', 'error': $states.errorOutput.Error, 'cause': $states.errorOutput.Cause }`) },
    Next: "AlertLoadFailed",
  },
];

/** Column positions of core's load summary (the Copy batch's last result) and load-error query. */
const SUMMARY = Object.fromEntries(LOAD_SUMMARY_COLUMNS.map((c, i) => [c, i])) as Record<(typeof LOAD_SUMMARY_COLUMNS)[number], number>;
const ERRORS = Object.fromEntries(LOAD_ERROR_COLUMNS.map((c, i) => [c, i])) as Record<(typeof LOAD_ERROR_COLUMNS)[number], number>;

/** One cell of a GetStatementResult record, whatever its type (SDK integrations name fields in PascalCase). */
export const cell = (row: string, index: number) =>
  `($c := ${row}[${index}]; $exists($c.IsNull) and $c.IsNull ? null : ($exists($c.LongValue) ? $c.LongValue : ($exists($c.DoubleValue) ? $c.DoubleValue :
    ($exists($c.BooleanValue) ? $c.BooleanValue : ($exists($c.StringValue) ? $c.StringValue : null)))))`;

/**
 * Deletes the load's in-flight claim, then goes on to `next` whatever happens: a claim left
 * behind only makes later plans skip those objects until it lapses.
 */
function releaseClaim(r: WorkflowResources, comment: string, next: string) {
  return {
    Type: "Task",
    Comment: comment,
    Resource: "arn:aws:states:::aws-sdk:s3:deleteObject",
    Arguments: { Bucket: r.lakeBucket, Key: jsonata("$plan.claimKey") },
    TimeoutSeconds: 20,
    Retry: [TRANSIENT],
    Catch: [{ ErrorEquals: ["States.ALL"], Next: next }],
    Next: next,
  } as const;
}

function definition(r: WorkflowResources): StateMachineDefinition {
  const warehouse = { WorkgroupName: r.warehouseWorkgroupName, Database: r.warehouseDatabase };
  return {
    Comment: "Loads processed events not yet in the warehouse: plan a manifest, COPY it in one transaction, announce LoadCompleted.",
    QueryLanguage: "JSONata",
    TimeoutSeconds: 3600,
    StartAt: "Plan",
    States: {
      Plan: {
        Type: "Task",
        Comment: "LoadPlanner: processed objects not in the ledger (bounded), manifests/<loadId>.json, the load's SQL.",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: {
          FunctionName: r.loadPlannerFunctionName,
          Payload: jsonata(
            `$merge([{ 'executionName': $states.context.Execution.Name, 'startedAt': $states.context.Execution.StartTime },
              $type($states.input.maxObjects) = 'number' ? { 'maxObjects': $states.input.maxObjects } : {},
              $type($states.input.intervalSeconds) = 'number' ? { 'intervalSeconds': $states.input.intervalSeconds } : {},
              $type($states.input.reconcile) = 'boolean' ? { 'reconcile': $states.input.reconcile } : {}])`,
          ),
        },
        TimeoutSeconds: 330,
        Retry: [LAMBDA_TRANSIENT],
        // Every variable the alert reads exists on every path to it.
        Catch: toAlert("Plan", { plan: null, loadErrors: [] }),
        Assign: {
          plan: jsonata("$states.result.Payload"),
          loadErrors: [],
          pollSeconds: jsonata(
            `$type($states.input.pollSeconds) = 'number' and $states.input.pollSeconds >= 1 and $states.input.pollSeconds <= 60
              ? $round($states.input.pollSeconds) : ${LOAD_DEFAULT_POLL_SECONDS}`,
          ),
          failure: null,
        },
        Output: jsonata("{ 'loadId': $states.result.Payload.loadId, 'objects': $states.result.Payload.objects }"),
        Next: "HasWork",
      },
      HasWork: {
        Type: "Choice",
        // A load with no objects still records receipts of batches that were all filtered or dead-lettered.
        Choices: [{ Condition: jsonata("$plan.objects > 0 or $plan.receipts > 0"), Next: "Copy" }],
        Default: "NothingPending",
      },
      NothingToLoad: {
        Type: "Succeed",
        // `paused: "maintenance"` when the Maintenance workflow's lease held the planner back.
        Output: jsonata("{ 'loaded': false, 'objects': 0, 'paused': $plan.paused }"),
      },
      Copy: {
        Type: "Task",
        Comment: "One transaction: stage, COPY the manifest, dedupe on event_id, insert, ledger row, accounting.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:batchExecuteStatement",
        Arguments: { ...warehouse, Sqls: jsonata("$plan.sqls"), StatementName: jsonata("'freshet-load-' & $plan.loadId") },
        TimeoutSeconds: 60,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("Copy"),
        Assign: { phase: "copy", statementId: jsonata("$states.result.Id"), copyId: jsonata("$states.result.Id"), ...firstPoll },
        Output: jsonata("{ 'loadId': $plan.loadId, 'statementId': $states.result.Id }"),
        Next: "WaitForStatement",
      },
      WaitForStatement: {
        Type: "Wait",
        // 1, 2, 4, … s up to pollSeconds: a small load is seen finished about a second after its submit.
        Seconds: jsonata(BACKOFF("$polls")),
        Next: "DescribeStatement",
      },
      DescribeStatement: {
        Type: "Task",
        Comment: "The Data API has no .sync integration: poll until FINISHED, FAILED or ABORTED.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:describeStatement",
        Arguments: { Id: jsonata("$statementId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("DescribeStatement"),
        Assign: {
          polls: jsonata("$polls + 1"),
          status: jsonata("$states.result.Status"),
          // Absent unless the statement failed; an Assign that yields nothing is an error in JSONata states.
          statementError: jsonata("$exists($states.result.Error) ? $states.result.Error : null"),
          copyResult: jsonata(
            `$phase = 'copy' ? { 'status': $states.result.Status, 'error': $states.result.Error, 'duration': $states.result.Duration,
              'rows': $states.result.SubStatements.ResultRows } : $copyResult`,
          ),
        },
        Output: jsonata("{ 'phase': $phase, 'status': $states.result.Status, 'polls': $polls + 1 }"),
        Next: "StatementDone",
      },
      StatementDone: {
        Type: "Choice",
        Choices: [
          { Condition: jsonata("$phase = 'copy' and $status = 'FINISHED'"), Next: "GetSummary" },
          {
            // A receipts-only load has no COPY, so no load errors to read.
            Condition: jsonata("$phase = 'copy' and $status in ['FAILED', 'ABORTED'] and $plan.loadErrorsSql = null"),
            Assign: { failure: jsonata("{ 'step': 'Copy', 'error': 'RedshiftData.' & $status, 'cause': $statementError }") },
            Next: "AlertLoadFailed",
          },
          {
            Condition: jsonata("$phase = 'copy' and $status in ['FAILED', 'ABORTED']"),
            Assign: { failure: jsonata("{ 'step': 'Copy', 'error': 'RedshiftData.' & $status, 'cause': $statementError }") },
            Next: "ReadLoadErrors",
          },
          { Condition: jsonata("$phase = 'errors' and $status = 'FINISHED'"), Next: "GetLoadErrors" },
          { Condition: jsonata("$phase = 'errors' and $status in ['FAILED', 'ABORTED']"), Next: "AlertLoadFailed" },
          { Condition: jsonata("$phase = 'copy' and $millis() >= $deadline"), Next: "CancelCopy" },
          {
            Condition: jsonata("$millis() >= $deadline"),
            Assign: { failure: jsonata("{ 'step': $phase, 'error': 'Freshet.StatementTimedOut', 'cause': 'statement ' & $statementId & ' still ' & $status }") },
            Next: "AlertLoadFailed",
          },
        ],
        Default: "WaitForStatement",
      },
      CancelCopy: {
        Type: "Task",
        Comment: "The copy ran past its time budget: stop it so the next run's transaction does not queue behind it.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:cancelStatement",
        Arguments: { Id: jsonata("$copyId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("CancelCopy"),
        Assign: {
          failure: jsonata(
            `{ 'step': 'Copy', 'error': 'Freshet.LoadTimedOut', 'cause': 'COPY statement ' & $copyId & ' was still ' & $status &
              ' after ' & $string(${LOAD_MAX_POLLS} * $pollSeconds) & ' s and was cancelled' }`,
          ),
        },
        Next: "AlertLoadFailed",
      },
      GetSummary: {
        Type: "Task",
        Comment: "The load summary: the result of the Copy batch's last sub-statement (rows inserted, duplicates, newest occurred_at).",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:getStatementResult",
        Arguments: { Id: jsonata("$copyId & ':' & $string($count($plan.sqls))") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        // The load committed; only its summary is missing: announce it without one.
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { summary: null }, Next: "AnnounceLoad" }],
        Assign: {
          summary: jsonata(
            `$count($states.result.Records) = 0 ? null : ($row := $states.result.Records[0];
              { 'status': ${cell("$row", SUMMARY.status)}, 'rows': ${cell("$row", SUMMARY.rows_inserted)},
                'duplicates': ${cell("$row", SUMMARY.duplicates_skipped)}, 'newestOccurredAt': ${cell("$row", SUMMARY.newest_occurred_at)} })`,
          ),
        },
        Next: "AnnounceLoad",
      },
      AnnounceLoad: {
        Type: "Task",
        Comment: "LoadCompleted on the Freshet bus: what was loaded and how far behind real time the newest event is.",
        Resource: "arn:aws:states:::events:putEvents",
        Arguments: {
          Entries: [
            {
              EventBusName: r.busName,
              Source: LOAD_COMPLETED_SOURCE,
              DetailType: LOAD_COMPLETED_DETAIL_TYPE,
              Detail: jsonata(
                `($newest := $summary.newestOccurredAt; $newestIso := $newest != null ? $replace($newest, ' ', 'T') & ($contains($newest, 'Z') or $contains($newest, '+') ? '' : 'Z') : null;
                  { 'loadId': $plan.loadId, 'manifest': 's3://${r.lakeBucket}/' & $plan.manifestKey, 'objects': $plan.objects,
                    'rows': $summary.rows != null ? $summary.rows : $sum($copyResult.rows[$ >= 0]),
                    'duplicates': $summary.duplicates, 'status': $summary.status,
                    'newestOccurredAt': $newestIso,
                    'lagSeconds': $newestIso != null ? $round(($millis() - $toMillis($newestIso)) / 1000, 3) : null,
                    'executionId': $states.context.Execution.Id })`,
              ),
            },
          ],
        },
        TimeoutSeconds: 30,
        Retry: [TRANSIENT],
        Catch: toAlert("AnnounceLoad"),
        Assign: { eventId: jsonata("$states.result.Entries[0].EventId") },
        Next: "ReleaseClaim",
      },
      ReleaseClaim: releaseClaim(
        r,
        "The load has ended: delete its in-flight claim so the next plan no longer skips its objects (now in the ledger).",
        "CloseIncidents",
      ),
      Loaded: {
        Type: "Succeed",
        Output: jsonata("{ 'loaded': true, 'loadId': $plan.loadId, 'objects': $plan.objects, 'summary': $summary, 'eventId': $eventId }"),
      },
      ReadLoadErrors: {
        Type: "Task",
        Comment: "Why COPY failed: the newest rows of sys_load_error_detail for this load's files.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:executeStatement",
        Arguments: { ...warehouse, Sql: jsonata("$plan.loadErrorsSql"), StatementName: jsonata("'freshet-load-errors-' & $plan.loadId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "AlertLoadFailed" }],
        Assign: { phase: "errors", statementId: jsonata("$states.result.Id"), ...firstPoll },
        Next: "WaitForStatement",
      },
      GetLoadErrors: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:getStatementResult",
        Arguments: { Id: jsonata("$statementId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "AlertLoadFailed" }],
        Assign: {
          loadErrors: jsonata(
            `[$map($states.result.Records, function($row) { $join([$string(${cell("$row", ERRORS.file_name)}), ' line ', $string(${cell("$row", ERRORS.line_number)}),
              ' column ', $string(${cell("$row", ERRORS.column_name)}), ': ', $string(${cell("$row", ERRORS.error_message)})]) })]`,
          ),
        },
        Next: "AlertLoadFailed",
      },
      ...incidentStates(r),
      FailedWithClaim: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$plan != null and $type($plan.claimKey) = 'string'"), Next: "ReleaseFailedClaim" }],
        Default: "LoadFailed",
      },
      ReleaseFailedClaim: releaseClaim(r, "Free the failed load's objects at once: the next run plans them again (its manifest is kept).", "LoadFailed"),
      LoadFailed: {
        Type: "Fail",
        Error: "Freshet.LoadFailed",
        Cause: jsonata("$failure.step & ': ' & $failure.error & ': ' & $string($failure.cause)"),
      },
    },
  };
}

function permissions(r: WorkflowResources): WorkflowPermission[] {
  const fn = `arn:${r.partition}:lambda:${r.region}:${r.accountId}:function:${r.loadPlannerFunctionName}`;
  return [
    { actions: ["lambda:InvokeFunction"], resources: [fn, `${fn}:*`] },
    { actions: ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"], resources: [r.warehouseWorkgroupArn] },
    {
      actions: ["redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"],
      resources: ["*"],
      ownStatements: true,
    },
    // The Data API signs in to the workgroup as the caller (temporary database credentials).
    { actions: ["redshift-serverless:GetCredentials"], resources: [r.warehouseWorkgroupArn] },
    { actions: ["sns:Publish"], resources: [r.opsAlertsTopicArn] },
    { actions: ["events:PutEvents"], resources: [r.busArn] },
    // Only its own in-flight claims: the workflow never deletes lake data or manifests.
    { actions: ["s3:DeleteObject"], resources: [`arn:${r.partition}:s3:::${r.lakeBucket}/${LOAD_CLAIMS_PREFIX}*`] },
    ...incidentPermissions(r),
  ];
}

export const Load: WorkflowDescription = {
  name: "Load",
  summary: "Every 5 minutes (per stage): COPY processed events not yet loaded into the warehouse, exactly once, and announce LoadCompleted.",
  definition,
  schedules: [{ name: LOAD_SCHEDULE_NAME, expression: loadScheduleExpression(LOAD_DEFAULT_INTERVAL_MINUTES), inputFor: loadScheduleInput }],
  rules: [],
  permissions,
};
