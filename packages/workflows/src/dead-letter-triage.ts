import { TRIAGE_EXECUTION_TIMEOUT_SECONDS, TRIAGE_LEASE_KEY, TRIAGE_MAX_DEBOUNCE_SECONDS, TRIAGE_PREFIXES } from "@freshet/core";
import { jsonata, type Retrier, type StateMachineDefinition } from "./asl.ts";
import { LAMBDA_TRANSIENT } from "./retriers.ts";
import type { EventPattern, WorkflowDescription, WorkflowPermission, WorkflowResources } from "./types.ts";

/**
 * DeadLetterTriage: dead letters → loaded events or an explained quarantine.
 *
 * Debounce (Wait `debounceSeconds`, input) → ReleaseLease (delete `dlq/triage/pending.json`, so
 * dead letters landing from now on start the next execution) → Find (the triage function: the
 * `dlq/dt=` objects without a done marker in the ledger and without another live execution's
 * claim, oldest first, bounded, optionally of one `reason`, each claimed for this execution; it
 * lists the days from the watermark, or since yesterday — the sweep's look-back for a `sweep`
 * input — if that reaches further) → TriageObjects (Map, a few at a time: per object, triage each letter with core's
 * `triageDeadLetter`, redrive the repaired into `Events`, quarantine the rest, write the ledger
 * marker) → Summarize (counts, written to `dlq/triage/summaries/`) → `DeadLettersTriaged` on the
 * Freshet bus → OpsAlerts when the quarantined count reaches the configured threshold. Any
 * failure: OpsAlerts, then the execution fails; what it did is in the ledger, what it did not is
 * found again by the next execution.
 *
 * Started by `TriageDebounce` (the rule on the lake's "Object Created" events under `dlq/dt=`; see
 * README), by the hourly sweep, and by `freshet dlq redrive` (`reason`, `dryRun`).
 */

export const DEAD_LETTERS_TRIAGED_SOURCE = "freshet.triage";
export const DEAD_LETTERS_TRIAGED_DETAIL_TYPE = "DeadLettersTriaged";
export const TRIAGE_SWEEP_SCHEDULE_NAME = "HourlySweep";
/** Objects triaged at once: each redrives into the stream, which other producers share. */
export const TRIAGE_MAX_CONCURRENCY = 4;

/** The lake's "Object Created" events for dead letters (not for triage's own writes under `dlq/`). */
export function deadLetterLandedPattern(r: WorkflowResources): EventPattern {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: { bucket: { name: [r.lakeBucket] }, object: { key: [{ prefix: TRIAGE_PREFIXES.deadLetters }] } },
  };
}


/** Triaging an object again is safe (see the ledger), so any failure gets one more attempt. */
const TRIAGE_AGAIN: Retrier = { ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 1, JitterStrategy: "FULL" };

const TRANSIENT: Retrier = {
  ErrorEquals: ["States.Timeout", "States.TaskFailed"],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 3,
  MaxDelaySeconds: 20,
  JitterStrategy: "FULL",
};

const toAlert = (step: string) => [
  {
    ErrorEquals: ["States.ALL"],
    Assign: { failure: jsonata(`{ 'step': '${step}', 'error': $states.errorOutput.Error, 'cause': $states.errorOutput.Cause }`) },
    Next: "AlertTriageFailed",
  },
];

function invoke(r: WorkflowResources, payload: string) {
  return { FunctionName: r.triageFunctionName, Payload: jsonata(payload) };
}

function definition(r: WorkflowResources): StateMachineDefinition {
  return {
    Comment: "Dead letters: repair and redrive what a rule fixes, quarantine the rest with the reason, summarize.",
    QueryLanguage: "JSONata",
    // Claims lapse after this (and the triage function's timeout): see the function's claims.ts.
    TimeoutSeconds: TRIAGE_EXECUTION_TIMEOUT_SECONDS,
    StartAt: "Debounce",
    States: {
      Debounce: {
        Type: "Wait",
        Comment: "Let a burst of dead letters land: one execution triages them all.",
        Seconds: jsonata(
          `$type($states.input.debounceSeconds) = 'number' and $states.input.debounceSeconds >= 0
            ? $min([$round($states.input.debounceSeconds), ${TRIAGE_MAX_DEBOUNCE_SECONDS}]) : 0`,
        ),
        Assign: {
          reason: jsonata("$type($states.input.reason) = 'string' ? $states.input.reason : null"),
          dryRun: jsonata("$states.input.dryRun = true"),
          maxObjects: jsonata("$type($states.input.maxObjects) = 'number' ? $states.input.maxObjects : null"),
          sweep: jsonata("$states.input.sweep = true"),
          lookbackDays: jsonata("$type($states.input.lookbackDays) = 'number' ? $states.input.lookbackDays : null"),
          failure: null,
        },
        Next: "ReleaseLease",
      },
      ReleaseLease: {
        Type: "Task",
        Comment: "From now on a landing dead letter starts the next execution. Every execution releases it, so a lease left by a crash lasts an hour at most.",
        Resource: "arn:aws:states:::aws-sdk:s3:deleteObject",
        Arguments: { Bucket: r.lakeBucket, Key: TRIAGE_LEASE_KEY },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "Find" }],
        Next: "Find",
      },
      Find: {
        Type: "Task",
        Comment: "Dead-letter objects without a done marker and without another execution's live claim, oldest first, bounded; each claimed for this execution.",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: invoke(
          r,
          `$merge([
            { 'step': 'find', 'executionName': $states.context.Execution.Name, 'sweep': $sweep, 'dryRun': $dryRun,
              'attempt': $states.context.State.RetryCount + ($states.context.Execution.RedriveCount ? $states.context.Execution.RedriveCount : 0) },
            $reason ? { 'reason': $reason } : {}, $maxObjects ? { 'maxObjects': $maxObjects } : {},
            $lookbackDays ? { 'lookbackDays': $lookbackDays } : {}
          ])`,
        ),
        TimeoutSeconds: 300,
        Retry: [LAMBDA_TRANSIENT],
        Catch: toAlert("Find"),
        Assign: { found: jsonata("$states.result.Payload") },
        Output: jsonata(
          "{ 'objects': $count($states.result.Payload.objects), 'unhandled': $states.result.Payload.unhandled, 'inProgress': $states.result.Payload.inProgress, 'listedFrom': $states.result.Payload.listedFrom }",
        ),
        Next: "HasWork",
      },
      HasWork: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$count($found.objects) > 0"), Next: "TriageObjects" }],
        Default: "NothingToTriage",
      },
      NothingToTriage: {
        Type: "Succeed",
        Output: jsonata("{ 'objects': 0, 'reasonFilter': $reason, 'dryRun': $dryRun }"),
      },
      TriageObjects: {
        Type: "Map",
        Comment: "Per object (claimed by Find for this execution): triage its letters, redrive the repaired, quarantine the rest, ledger marker, release the claim.",
        Items: jsonata("$found.objects"),
        ItemSelector: {
          key: jsonata("$states.context.Map.Item.Value.key"),
          executionName: jsonata("$states.context.Execution.Name"),
          dryRun: jsonata("$dryRun"),
        },
        MaxConcurrency: TRIAGE_MAX_CONCURRENCY,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "TriageObject",
          States: {
            TriageObject: {
              Type: "Task",
              Resource: "arn:aws:states:::lambda:invoke",
              Arguments: invoke(r, "$merge([{ 'step': 'triage' }, $states.input])"),
              TimeoutSeconds: 300,
              Retry: [LAMBDA_TRANSIENT, TRIAGE_AGAIN],
              Output: jsonata("$states.result.Payload"),
              End: true,
            },
          },
        },
        Catch: toAlert("TriageObjects"),
        Assign: { results: jsonata("$states.result") },
        Output: jsonata("{ 'objects': $count($states.result) }"),
        Next: "Summarize",
      },
      Summarize: {
        Type: "Task",
        Comment: "Counts per reason, per source, per rule; repaired, redriven, quarantined, oldest unhandled; written to the lake.",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: invoke(
          r,
          `{ 'step': 'summarize', 'executionName': $states.context.Execution.Name, 'startedAt': $states.context.Execution.StartTime,
             'reason': $reason, 'dryRun': $dryRun, 'found': $found, 'results': $results }`,
        ),
        TimeoutSeconds: 60,
        Retry: [LAMBDA_TRANSIENT],
        Catch: toAlert("Summarize"),
        Assign: { summary: jsonata("$states.result.Payload") },
        Next: "Announce",
      },
      Announce: {
        Type: "Task",
        Comment: "DeadLettersTriaged on the Freshet bus.",
        Resource: "arn:aws:states:::events:putEvents",
        Arguments: {
          Entries: [
            {
              EventBusName: r.busName,
              Source: DEAD_LETTERS_TRIAGED_SOURCE,
              DetailType: DEAD_LETTERS_TRIAGED_DETAIL_TYPE,
              Detail: jsonata("$merge([$summary, { 'executionId': $states.context.Execution.Id }])"),
            },
          ],
        },
        TimeoutSeconds: 30,
        Retry: [TRANSIENT],
        Catch: toAlert("Announce"),
        Next: "ShouldAlert",
      },
      ShouldAlert: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$summary.alert = true"), Next: "AlertQuarantined" }],
        Default: "Triaged",
      },
      AlertQuarantined: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: r.opsAlertsTopicArn,
          Subject: jsonata("'Freshet: ' & $string($summary.quarantined) & ' dead letters quarantined'"),
          Message: jsonata(
            `'Dead-letter triage quarantined ' & $string($summary.quarantined) & ' dead letters no repair rule fixes (threshold ' &
              $string($summary.alertThreshold) & '); repaired and redrove ' & $string($summary.repaired) & '. By reason: ' &
              $join($map($keys($summary.byReason), function($k) { $k & ' ' & $string($lookup($summary.byReason, $k).quarantined) }), ', ') &
              '. Quarantine: s3://${r.lakeBucket}/${TRIAGE_PREFIXES.quarantine}; summary: ' & $string($summary.summaryKey) &
              '. Execution ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Catch: toAlert("AlertQuarantined"),
        Next: "Triaged",
      },
      Triaged: {
        Type: "Succeed",
        Output: jsonata("$summary"),
      },
      AlertTriageFailed: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: r.opsAlertsTopicArn,
          Subject: jsonata("'Freshet: dead-letter triage failed at ' & $failure.step"),
          Message: jsonata(
            `'The DeadLetterTriage workflow failed at ' & $failure.step & ' (' & $failure.error & ': ' & $string($failure.cause) &
              '). Objects it finished are in the ledger; the next execution triages the rest. Execution ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Next: "TriageFailed",
      },
      TriageFailed: {
        Type: "Fail",
        Error: "Freshet.TriageFailed",
        Cause: jsonata("$failure.step & ': ' & $failure.error & ': ' & $string($failure.cause)"),
      },
    },
  };
}

function permissions(r: WorkflowResources): WorkflowPermission[] {
  const fn = `arn:${r.partition}:lambda:${r.region}:${r.accountId}:function:${r.triageFunctionName}`;
  return [
    { actions: ["lambda:InvokeFunction"], resources: [fn, `${fn}:*`] },
    { actions: ["events:PutEvents"], resources: [r.busArn] },
    { actions: ["sns:Publish"], resources: [r.opsAlertsTopicArn] },
    // Only the debounce lease: the workflow never deletes dead letters.
    { actions: ["s3:DeleteObject"], resources: [`arn:${r.partition}:s3:::${r.lakeBucket}/${TRIAGE_LEASE_KEY}`] },
  ];
}

export const DeadLetterTriage: WorkflowDescription = {
  name: "DeadLetterTriage",
  summary: "When dead letters land (debounced) and hourly: repair and redrive what a rule fixes, quarantine the rest, summarize.",
  definition,
  schedules: [{ name: TRIAGE_SWEEP_SCHEDULE_NAME, expression: "rate(1 hour)", input: { debounceSeconds: 0, sweep: true } }],
  // The landing rule targets the TriageDebounce function, not the state machine (stacks/triage.ts).
  rules: [],
  permissions,
};
