import { LAKE_PREFIXES } from "@freshet/core";
import { jsonata, type Retrier, type StateMachineDefinition } from "./asl.ts";
import type { WorkflowDescription, WorkflowResources } from "./types.ts";

/**
 * LakeFreshness: is the transformer writing? Every batch it handles leaves a receipt under
 * `receipts/dt=YYYY-MM-DD/hr=HH/` (even a batch whose events were all filtered), so the newest
 * receipt of the current and previous hour says when the lake last moved. Older than the
 * threshold (or none at all) → one clear alert on OpsAlerts. A check that cannot list the lake
 * alerts too, then fails, so a broken check is never mistaken for a quiet pipeline.
 *
 * The template for Freshet's workflows: one Pass that plans with JSONata, a Task with Retry and
 * Catch, a paging loop kept in variables (`Assign`) and closed by a Choice, results as outputs.
 */

export const LAKE_FRESHNESS_DEFAULT_THRESHOLD_MINUTES = 15;

/** Small pages keep each ListObjectsV2 result (about 330 bytes a key) far below Step Functions'
 *  256 KiB payload limit however busy the hour was; the loop reads every page. */
export const LAKE_FRESHNESS_PAGE_SIZE = 250;

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

const AGE_MINUTES = "$round(($toMillis($checkedAt) - $newestMillis) / 60000, 1)";
const NEWEST = "($newestMillis > 0 ? $fromMillis($newestMillis) : null)";
const SUMMARY = `'checkedAt': $checkedAt, 'newestReceiptAt': ${NEWEST}, 'thresholdMinutes': $thresholdMinutes, 'receiptsListed': $listed`;

function definition(resources: WorkflowResources): StateMachineDefinition {
  return {
    Comment: "Alerts OpsAlerts when the transformer has written no batch receipt to the lake for thresholdMinutes.",
    QueryLanguage: "JSONata",
    // A safety net only: every Task has its own timeout and the paging loop ends with the listing.
    TimeoutSeconds: 600,
    StartAt: "Plan",
    States: {
      Plan: {
        Type: "Pass",
        Comment: "Receipt prefixes of the hour the execution started in and the hour before (UTC).",
        Assign: {
          bucket: resources.lakeBucket,
          checkedAt: jsonata("$states.context.Execution.StartTime"),
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
        Catch: [{ ErrorEquals: ["States.ALL"], Assign: { failure: jsonata("$states.errorOutput") }, Next: "AlertCheckFailed" }],
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
        Default: "IsFresh",
      },
      IsFresh: {
        Type: "Choice",
        Choices: [
          {
            Condition: jsonata("$newestMillis > 0 and $newestMillis + $thresholdMinutes * 60000 >= $toMillis($checkedAt)"),
            Next: "Fresh",
          },
        ],
        Default: "AlertStale",
      },
      Fresh: {
        Type: "Succeed",
        Output: jsonata(`{ 'fresh': true, ${SUMMARY}, 'ageMinutes': ${AGE_MINUTES} }`),
      },
      AlertStale: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: resources.opsAlertsTopicArn,
          Subject: jsonata(`'Freshet: nothing written to the lake for ' & $string($thresholdMinutes) & '+ minutes'`),
          Message: jsonata(
            `($newestMillis > 0
              ? 'The newest batch receipt under s3://' & $bucket & '/${RECEIPTS} was written at ' & $fromMillis($newestMillis) &
                ', ' & $string(${AGE_MINUTES}) & ' minutes before this check (threshold: ' & $string($thresholdMinutes) & ' minutes).'
              : 'No batch receipt under s3://' & $bucket & '/' & $join($prefixes, ' or s3://' & $bucket & '/') &
                ': nothing was written to the lake this hour or the previous one.')
            & ' The transformer is not writing: either no events are arriving or it is failing. Check the Transformer'
            & ' function errors, the Events stream iterator age and the TransformerFailures queue.'
            & ' Checked at ' & $checkedAt & ' by ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [RETRY],
        Output: jsonata(`{ 'fresh': false, ${SUMMARY}, 'alertMessageId': $states.result.MessageId }`),
        End: true,
      },
      AlertCheckFailed: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: resources.opsAlertsTopicArn,
          Subject: "Freshet: lake freshness check failed",
          Message: jsonata(
            `'The lake freshness check could not list s3://' & $bucket & '/${RECEIPTS} (' & $failure.Error & ': ' &
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
  summary: "Every 5 minutes: alerts OpsAlerts when no batch receipt reached the lake within the threshold (default 15 minutes).",
  definition,
  schedules: [{ name: "Every5Minutes", expression: "rate(5 minutes)" }],
  rules: [],
  permissions: (r) => [
    {
      // ListObjectsV2 is authorised as s3:ListBucket on the bucket; the condition keeps it to receipts/.
      actions: ["s3:ListBucket"],
      resources: [`arn:${r.partition}:s3:::${r.lakeBucket}`],
      conditions: { StringLike: { "s3:prefix": [`${RECEIPTS}*`] } },
    },
    { actions: ["sns:Publish"], resources: [r.opsAlertsTopicArn] },
  ],
};
