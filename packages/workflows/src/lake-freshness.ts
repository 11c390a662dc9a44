import { LAKE_FRESHNESS_STATE_KEY, LAKE_PREFIXES } from "@freshet/core";
import { jsonata, type Retrier, type StateMachineDefinition } from "./asl.ts";
import type { WorkflowDescription, WorkflowResources } from "./types.ts";

/**
 * LakeFreshness: is the transformer writing? Every batch it handles leaves a receipt under
 * `receipts/dt=YYYY-MM-DD/hr=HH/` (even a batch whose events were all filtered), so the newest
 * receipt of the current and previous hour says when the lake last moved.
 *
 * Only a stage that stopped receiving is alerted about, once per outage:
 * - never received anything (no receipt at all, none remembered): `awaiting-first-event`, no alert.
 *   A fresh stage's schedule fires at creation, before any batch can exist.
 * - the quiet is measured from the newest receipt or from when the check started watching,
 *   whichever is later. The watch (re)starts on the first run and after a gap longer than the
 *   threshold (the check was not running: a stopped `npm start`, a stage just deployed again):
 *   silence while nothing was watching is not evidence of an outage. Inside that grace: `watching`.
 * - quiet past the threshold: one alert on OpsAlerts, remembered in the state object
 *   (`manifests/state/lake-freshness.json`) with the receipt it was about; later runs of the same
 *   outage stay silent, and the first fresh run after it sends a recovery notice.
 * A check that cannot read the lake alerts too, then fails, so a broken check is never mistaken
 * for a quiet pipeline.
 *
 * The template for Freshet's workflows: one Pass that plans with JSONata, a Task with Retry and
 * Catch, a paging loop kept in variables (`Assign`) and closed by a Choice, results as outputs.
 */

export const LAKE_FRESHNESS_DEFAULT_THRESHOLD_MINUTES = 15;

/** Small pages keep each ListObjectsV2 result (about 330 bytes a key) far below Step Functions'
 *  256 KiB payload limit however busy the hour was; the loop reads every page. */
export const LAKE_FRESHNESS_PAGE_SIZE = 250;

/** What a run concluded (`status` in its output and in the state object). */
export type LakeFreshnessStatus = "fresh" | "watching" | "awaiting-first-event" | "stale";

/** The state object between runs (JSON at `LAKE_FRESHNESS_STATE_KEY`). */
export interface LakeFreshnessState {
  readonly checkedAt: string;
  readonly watchingSince: string;
  readonly lastReceiptAt: string | null;
  readonly status: LakeFreshnessStatus;
  /** The outage OpsAlerts was told about: the newest receipt then (0: none in reach) and when. */
  readonly outage: { readonly lastReceiptMillis: number; readonly alertedAt: string } | null;
}

const RECEIPTS = LAKE_PREFIXES.receipts;

/** Transient S3/SNS failures and slow calls are retried; what still fails goes to the Catch. */
const RETRY: Retrier = {
  ErrorEquals: ["States.Timeout", "States.TaskFailed"],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 3,
  MaxDelaySeconds: 10,
  JitterStrategy: "FULL",
};

const failedAt = (what: string) => [
  {
    ErrorEquals: ["States.ALL"],
    Assign: { failure: jsonata("$states.errorOutput"), failedTo: what },
    Next: "AlertCheckFailed",
  },
];

const AGE_MINUTES = "$round(($nowMillis - $lastMillis) / 60000, 1)";
const NEWEST = "($lastMillis > 0 ? $fromMillis($lastMillis) : null)";
const SUMMARY =
  `'status': $status, 'fresh': $status = 'fresh', 'checkedAt': $checkedAt, 'newestReceiptAt': ${NEWEST}, ` +
  `'watchingSince': $fromMillis($watchingSince), 'thresholdMinutes': $thresholdMinutes, 'receiptsListed': $listed, ` +
  `'alerted': $alertMessageId != null, 'alertMessageId': $alertMessageId, 'recoveryMessageId': $recoveryMessageId`;

function definition(resources: WorkflowResources): StateMachineDefinition {
  const bucket = resources.lakeBucket;
  return {
    Comment: "Alerts OpsAlerts once when a stage that was receiving has written no batch receipt to the lake for thresholdMinutes.",
    QueryLanguage: "JSONata",
    // A safety net only: every Task has its own timeout and the paging loop ends with the listing.
    TimeoutSeconds: 600,
    StartAt: "Plan",
    States: {
      Plan: {
        Type: "Pass",
        Comment: "Receipt prefixes of the hour the execution started in and the hour before (UTC).",
        Assign: {
          bucket,
          checkedAt: jsonata("$states.context.Execution.StartTime"),
          nowMillis: jsonata("$toMillis($states.context.Execution.StartTime)"),
          thresholdMinutes: jsonata(
            `$type($states.input.thresholdMinutes) = 'number' and $states.input.thresholdMinutes > 0 ` +
              `? $states.input.thresholdMinutes : ${LAKE_FRESHNESS_DEFAULT_THRESHOLD_MINUTES}`,
          ),
          prefixes: jsonata(
            `[0, 1].('${RECEIPTS}' & $fromMillis($toMillis($states.context.Execution.StartTime) - $ * 3600000, ` +
              `'dt=[Y0001]-[M01]-[D01]/hr=[H01]') & '/')`,
          ),
          prefixIndex: 0,
          token: null,
          newestMillis: 0,
          listed: 0,
          state: null,
          olderReceipt: false,
          alertMessageId: null,
          recoveryMessageId: null,
        },
        Next: "ListReceipts",
      },
      ListReceipts: {
        Type: "Task",
        Comment: "One page of one prefix; remembers the newest LastModified seen and where to continue.",
        Resource: "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        Arguments: jsonata(
          `$merge([{ 'Bucket': $bucket, 'Prefix': $prefixes[$prefixIndex], 'MaxKeys': ${LAKE_FRESHNESS_PAGE_SIZE} }, ` +
            `$token ? { 'ContinuationToken': $token } : {}])`,
        ),
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Catch: failedAt(`list s3://${bucket}/${RECEIPTS}`),
        Assign: {
          newestMillis: jsonata("$max([$newestMillis, $states.result.Contents.$toMillis(LastModified)])"),
          listed: jsonata("$listed + $states.result.KeyCount"),
          token: jsonata("$states.result.IsTruncated = true ? $states.result.NextContinuationToken : null"),
          prefixIndex: jsonata("$states.result.IsTruncated = true ? $prefixIndex : $prefixIndex + 1"),
        },
        Output: jsonata("{ 'prefix': $states.result.Prefix, 'keyCount': $states.result.KeyCount, 'isTruncated': $states.result.IsTruncated }"),
        Next: "MorePages",
      },
      MorePages: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$prefixIndex < $count($prefixes)"), Next: "ListReceipts" }],
        Default: "ReadState",
      },
      ReadState: {
        Type: "Task",
        Comment: "What earlier runs saw: the watch's start, the newest receipt, the outage already alerted.",
        Resource: "arn:aws:states:::aws-sdk:s3:getObject",
        Arguments: { Bucket: bucket, Key: LAKE_FRESHNESS_STATE_KEY },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Catch: [{ ErrorEquals: ["S3.NoSuchKeyException"], Next: "Judge" }, ...failedAt(`read s3://${bucket}/${LAKE_FRESHNESS_STATE_KEY}`)],
        Assign: { state: jsonata("$parse($states.result.Body)") },
        Output: {},
        Next: "Judge",
      },
      Judge: {
        Type: "Pass",
        Comment: "The newest receipt (listed or remembered) and the watch's start: restarted when the check was not running for longer than the threshold.",
        Assign: {
          lastMillis: jsonata("$max([$newestMillis, $type($state.lastReceiptAt) = 'string' ? $toMillis($state.lastReceiptAt) : 0])"),
          watchingSince: jsonata(
            `$type($state.watchingSince) = 'string' and $type($state.checkedAt) = 'string' and ` +
              `$toMillis($state.checkedAt) + $thresholdMinutes * 60000 >= $nowMillis ? $toMillis($state.watchingSince) : $nowMillis`,
          ),
          previousOutage: jsonata("$type($state.outage) = 'object' ? $state.outage : null"),
        },
        Next: "EverReceived",
      },
      EverReceived: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$lastMillis = 0"), Next: "ProbeOlderReceipts" }],
        Default: "Verdict",
      },
      ProbeOlderReceipts: {
        Type: "Task",
        Comment: "Nothing in the last two hours and nothing remembered: has this stage ever written a receipt? Keys sort by date, one is enough.",
        Resource: "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        Arguments: { Bucket: bucket, Prefix: `${RECEIPTS}dt=`, MaxKeys: 1 },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Catch: failedAt(`list s3://${bucket}/${RECEIPTS}`),
        Assign: { olderReceipt: jsonata("$states.result.KeyCount > 0") },
        Output: {},
        Next: "Verdict",
      },
      Verdict: {
        Type: "Choice",
        Choices: [
          { Condition: jsonata("$lastMillis = 0 and $olderReceipt = false"), Next: "AwaitingFirstEvent" },
          { Condition: jsonata("$lastMillis > 0 and $lastMillis + $thresholdMinutes * 60000 >= $nowMillis"), Next: "Fresh" },
          { Condition: jsonata("$watchingSince + $thresholdMinutes * 60000 >= $nowMillis"), Next: "Watching" },
          // The same outage (same newest receipt) was alerted by an earlier run: once is enough.
          { Condition: jsonata("$previousOutage != null and $previousOutage.lastReceiptMillis = $lastMillis"), Next: "StillStale" },
        ],
        Default: "AlertStale",
      },
      AwaitingFirstEvent: {
        Type: "Pass",
        Comment: "A stage that has not received its first event is waiting, not failing.",
        Assign: { status: "awaiting-first-event", outage: null },
        Next: "SaveState",
      },
      Fresh: {
        Type: "Pass",
        Assign: { status: "fresh", outage: null },
        Next: "WasAlerting",
      },
      WasAlerting: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$previousOutage != null"), Next: "AlertRecovered" }],
        Default: "SaveState",
      },
      AlertRecovered: {
        Type: "Task",
        Comment: "The end of an alerted outage, so the alert is not left open.",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: resources.opsAlertsTopicArn,
          Subject: "Freshet: the lake is being written again",
          Message: jsonata(
            `'A batch receipt was written at ' & $fromMillis($lastMillis) & ' under s3://' & $bucket & '/${RECEIPTS}: the transformer ` +
              `is writing again after the outage alerted at ' & $previousOutage.alertedAt & '. Checked at ' & $checkedAt & ' by ' & ` +
              `$states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        // A lost recovery notice is not worth failing the check (the state still moves on).
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "SaveState" }],
        Assign: { recoveryMessageId: jsonata("$states.result.MessageId") },
        Next: "SaveState",
      },
      Watching: {
        Type: "Pass",
        Comment: "Quiet, but for less than the threshold since the check (re)started watching.",
        Assign: { status: "watching", outage: jsonata("$previousOutage") },
        Next: "SaveState",
      },
      StillStale: {
        Type: "Pass",
        Assign: { status: "stale", outage: jsonata("$previousOutage") },
        Next: "SaveState",
      },
      AlertStale: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: resources.opsAlertsTopicArn,
          Subject: jsonata(`'Freshet: nothing written to the lake for ' & $string($thresholdMinutes) & '+ minutes'`),
          Message: jsonata(
            `($lastMillis > 0
              ? 'The newest batch receipt under s3://' & $bucket & '/${RECEIPTS} was written at ' & $fromMillis($lastMillis) &
                ', ' & $string(${AGE_MINUTES}) & ' minutes before this check (threshold: ' & $string($thresholdMinutes) & ' minutes).'
              : 'No batch receipt under s3://' & $bucket & '/' & $join($prefixes, ' or s3://' & $bucket & '/') &
                ': nothing was written to the lake this hour or the previous one, though earlier hours have receipts.')
            & ' The transformer is not writing: either no events are arriving or it is failing. Check the Transformer'
            & ' function errors, the Events stream iterator age and the TransformerFailures queue.'
            & ' This outage is alerted once; a notice follows when the lake is written again.'
            & ' Checked at ' & $checkedAt & ' by ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Assign: {
          status: "stale",
          outage: jsonata("{ 'lastReceiptMillis': $lastMillis, 'alertedAt': $checkedAt }"),
          alertMessageId: jsonata("$states.result.MessageId"),
        },
        Next: "SaveState",
      },
      SaveState: {
        Type: "Task",
        Comment: "Written every run: its checkedAt is how the next run knows the watch was not interrupted.",
        Resource: "arn:aws:states:::aws-sdk:s3:putObject",
        Arguments: {
          Bucket: bucket,
          Key: LAKE_FRESHNESS_STATE_KEY,
          ContentType: "application/json",
          Body: jsonata(
            `$string({ 'checkedAt': $checkedAt, 'watchingSince': $fromMillis($watchingSince), 'lastReceiptAt': ${NEWEST}, ` +
              `'status': $status, 'outage': $outage })`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Catch: failedAt(`write s3://${bucket}/${LAKE_FRESHNESS_STATE_KEY}`),
        Output: jsonata(`{ ${SUMMARY}, 'ageMinutes': $lastMillis > 0 ? ${AGE_MINUTES} : null }`),
        End: true,
      },
      AlertCheckFailed: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: resources.opsAlertsTopicArn,
          Subject: "Freshet: lake freshness check failed",
          Message: jsonata(
            `'The lake freshness check could not ' & $failedTo & ' (' & $failure.Error & ': ' &
              $failure.Cause & '), so whether the transformer is writing is unknown. Checked at ' & $checkedAt &
              ' by ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Next: "CheckFailed",
      },
      CheckFailed: {
        Type: "Fail",
        Error: "Freshet.FreshnessCheckFailed",
        Cause: jsonata("$failure.Error & ': ' & $failure.Cause"),
      },
    },
  };
}

export const LakeFreshness: WorkflowDescription = {
  name: "LakeFreshness",
  summary:
    "Every 5 minutes: alerts OpsAlerts once when a stage that was receiving has written no batch receipt within the threshold (default 15 minutes).",
  definition,
  schedules: [{ name: "Every5Minutes", expression: "rate(5 minutes)" }],
  rules: [],
  permissions: (r) => [
    {
      // ListObjectsV2 is authorised as s3:ListBucket on the bucket; the condition keeps it to receipts/.
      // The state key is listed too: without s3:ListBucket, GetObject of a missing key is 403, not 404.
      actions: ["s3:ListBucket"],
      resources: [`arn:${r.partition}:s3:::${r.lakeBucket}`],
      conditions: { StringLike: { "s3:prefix": [`${RECEIPTS}*`, LAKE_FRESHNESS_STATE_KEY] } },
    },
    { actions: ["s3:GetObject", "s3:PutObject"], resources: [`arn:${r.partition}:s3:::${r.lakeBucket}/${LAKE_FRESHNESS_STATE_KEY}`] },
    { actions: ["sns:Publish"], resources: [r.opsAlertsTopicArn] },
  ],
};
