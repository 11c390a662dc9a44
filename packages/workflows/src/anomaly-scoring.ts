import { buildPackedSeriesSql, DEFAULT_ANOMALY_SETTINGS, SERIES_PARAMETERS } from "@freshet/core";
import { jsonata, type Retrier, type StateMachineDefinition } from "./asl.ts";
import { LAMBDA_TRANSIENT, THROTTLED, TRANSIENT } from "./retriers.ts";
import { LOAD_COMPLETED_DETAIL_TYPE, LOAD_COMPLETED_SOURCE } from "./load.ts";
import { anomalyEndpointArn } from "./naming.ts";
import type { WorkflowDescription, WorkflowPermission, WorkflowResources } from "./types.ts";

/**
 * AnomalyScoring: business metrics → Random Cut Forest scores → one alert per incident.
 *
 * Window (the minutes before the newest loaded event's minute, or before now − 5 minutes when a
 * schedule starts it) → Series (one Data API statement: every `METRICS` series per minute, polled)
 * → Prepare (`AnomalyDecider`: gap-filled series, expected values, the shingled features as one
 * CSV) → Score (SageMaker `InvokeEndpoint`, the stage's RCF endpoint; retried, then OpsAlerts,
 * never a marketing alert) → Decide (`AnomalyDecider`: core's `decideAnomalies` per series, state
 * in the lake) → per alert: SNS `MarketingAlerts` with message attributes and `AnomalyDetected`
 * on the Freshet bus → Record (the `anomalies` rows, polled). Any failure: OpsAlerts, then fail.
 *
 * Input (all optional): `{ until?: ISO, settings?: Partial<AnomalySettings>, pollSeconds?, dashboardUrl? }`,
 * or the `LoadCompleted` event itself (its `detail.newestOccurredAt` ends the window).
 */

export const ANOMALY_DETECTED_SOURCE = "freshet.anomaly";
export const ANOMALY_DETECTED_DETAIL_TYPE = "AnomalyDetected";
export const ANOMALY_FALLBACK_SCHEDULE_NAME = "Fallback";
/** Minutes a schedule-started run leaves for the newest events to be loaded (the Load interval). */
export const ANOMALY_SCHEDULE_LAG_MINUTES = 5;
export const ANOMALY_MAX_POLLS = 120;

/** Endpoint failures (throttling, a model error, an endpoint being updated) get two more attempts. */
export const ENDPOINT_RETRY: Retrier = {
  ErrorEquals: ["States.TaskFailed", "States.Timeout"],
  IntervalSeconds: 1,
  BackoffRate: 2,
  MaxAttempts: 2,
  MaxDelaySeconds: 10,
  JitterStrategy: "FULL",
};


const toAlert = (step: string) => [
  {
    ErrorEquals: ["States.ALL"],
    Assign: { failure: jsonata(`{ 'step': '${step}', 'error': $states.errorOutput.Error, 'cause': $states.errorOutput.Cause }`) },
    Next: "AlertOps",
  },
];

/** The window's first minute (Unix minutes) for the run's settings: the scored minutes, each with its shingle and baseline. */
const FROM_MINUTE = `($m := $merge([${JSON.stringify(DEFAULT_ANOMALY_SETTINGS)}, $settings]); $untilMinute - $m.scoreMinutes - $m.shingleSize + 1 - $m.baselineMinutes)`;

/** `YYYY-MM-DD HH:MM:SS` of Unix minutes: a TIMESTAMP both warehouses parse. */
const timestampOf = (minutes: string) => `$fromMillis(${minutes} * 60000, '[Y0001]-[M01]-[D01] [H01]:[m01]:[s01]')`;

function definition(r: WorkflowResources): StateMachineDefinition {
  const warehouse = { WorkgroupName: r.warehouseWorkgroupName, Database: r.warehouseDatabase };
  const invoke = (payload: string) => ({ FunctionName: r.anomalyDeciderFunctionName, Payload: jsonata(payload) });
  return {
    Comment: "Scores business metrics with Random Cut Forest after each load; alerts marketing once per incident and when it recovers.",
    QueryLanguage: "JSONata",
    TimeoutSeconds: 1800,
    StartAt: "Window",
    States: {
      Window: {
        Type: "Pass",
        Comment: "The minutes to read: the scored ones, each with its shingle and baseline before it; the newest (incomplete) minute excluded.",
        Assign: {
          settings: jsonata("$type($states.input.settings) = 'object' ? $states.input.settings : {}"),
          pollSeconds: jsonata(
            "$type($states.input.pollSeconds) = 'number' and $states.input.pollSeconds >= 1 and $states.input.pollSeconds <= 60 ? $round($states.input.pollSeconds) : 2",
          ),
          untilMinute: jsonata(
            `$floor(($type($states.input.until) = 'string' ? $toMillis($states.input.until)
              : ($type($states.input.detail.newestOccurredAt) = 'string' ? $toMillis($states.input.detail.newestOccurredAt)
              : $toMillis($now()) - ${ANOMALY_SCHEDULE_LAG_MINUTES * 60_000})) / 60000)`,
          ),
          dashboardUrl: jsonata("$type($states.input.dashboardUrl) = 'string' ? $states.input.dashboardUrl : ''"),
          phase: "series",
          polls: 0,
          failure: null,
        },
        Next: "Series",
      },
      Series: {
        Type: "Task",
        Comment: "Every metric's per-minute values in the window, one packed row per series (Data API parameters: the window's bounds).",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:executeStatement",
        // One JSONata object: `Parameters` inside literal Arguments reads as the JSONPath field of that name. SDK
        // integrations take members PascalCase whatever the API's casing (SqlParameter's name/value).
        Arguments: jsonata(
          `($from := ${FROM_MINUTE};
            { 'WorkgroupName': ${JSON.stringify(r.warehouseWorkgroupName)}, 'Database': ${JSON.stringify(r.warehouseDatabase)},
              'Sql': ${JSON.stringify(buildPackedSeriesSql())}, 'StatementName': 'freshet-anomaly-series',
              'Parameters': [{ 'Name': '${SERIES_PARAMETERS.from}', 'Value': ${timestampOf("$from")} }, { 'Name': '${SERIES_PARAMETERS.until}', 'Value': ${timestampOf("$untilMinute")} }] })`,
        ),
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("Series"),
        Assign: {
          statementId: jsonata("$states.result.Id"),
          fromMinute: jsonata(FROM_MINUTE),
        },
        Next: "WaitForStatement",
      },
      WaitForStatement: { Type: "Wait", Seconds: jsonata("$pollSeconds"), Next: "DescribeStatement" },
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
          statementError: jsonata("$exists($states.result.Error) ? $states.result.Error : null"),
        },
        Next: "StatementDone",
      },
      StatementDone: {
        Type: "Choice",
        Choices: [
          { Condition: jsonata("$phase = 'series' and $status = 'FINISHED'"), Next: "GetSeries" },
          { Condition: jsonata("$phase = 'record' and $status = 'FINISHED'"), Next: "Scored" },
          {
            Condition: jsonata("$status in ['FAILED', 'ABORTED']"),
            Assign: { failure: jsonata("{ 'step': $phase, 'error': 'RedshiftData.' & $status, 'cause': $statementError }") },
            Next: "AlertOps",
          },
          {
            Condition: jsonata(`$polls >= ${ANOMALY_MAX_POLLS}`),
            Assign: { failure: jsonata("{ 'step': $phase, 'error': 'Freshet.StatementTimedOut', 'cause': 'statement ' & $statementId & ' still ' & $status }") },
            Next: "AlertOps",
          },
        ],
        Default: "WaitForStatement",
      },
      GetSeries: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:getStatementResult",
        Arguments: { Id: jsonata("$statementId") },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("GetSeries"),
        Output: jsonata("{ 'records': $states.result.Records }"),
        Next: "Prepare",
      },
      Prepare: {
        Type: "Task",
        Comment: "AnomalyDecider: gap-filled series, expected values, the shingled features as one CSV body.",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: invoke(
          "{ 'step': 'prepare', 'records': $states.input.records, 'fromMinute': $fromMinute, 'untilMinute': $untilMinute, 'settings': $settings }",
        ),
        TimeoutSeconds: 60,
        Retry: [LAMBDA_TRANSIENT],
        Catch: toAlert("Prepare"),
        Assign: { prepared: jsonata("$states.result.Payload") },
        Output: jsonata("{ 'series': $count($states.result.Payload.series), 'points': $states.result.Payload.points }"),
        Next: "HasPoints",
      },
      HasPoints: {
        Type: "Choice",
        Choices: [{ Condition: jsonata("$prepared.points > 0"), Next: "Score" }],
        Default: "NothingToScore",
      },
      NothingToScore: {
        Type: "Succeed",
        Output: jsonata("{ 'series': 0, 'points': 0, 'alerts': 0, 'until': $fromMillis($untilMinute * 60000) }"),
      },
      Score: {
        Type: "Task",
        Comment: "Random Cut Forest scores of every shingled point, SageMaker's built-in RCF protocol (CSV in, JSON out).",
        Resource: "arn:aws:states:::aws-sdk:sagemakerruntime:invokeEndpoint",
        Arguments: { EndpointName: r.anomalyEndpointName, ContentType: "text/csv", Accept: "application/json", Body: jsonata("$prepared.csv") },
        TimeoutSeconds: 60,
        Retry: [ENDPOINT_RETRY],
        Catch: toAlert("Score"),
        Output: jsonata("{ 'body': $states.result.Body }"),
        Next: "Decide",
      },
      Decide: {
        Type: "Task",
        Comment: "AnomalyDecider: each series' scores against its adaptive threshold, incident and cooldown (state in the lake).",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: invoke(
          `{ 'step': 'decide', 'series': $prepared.series, 'body': $states.input.body, 'detectedAt': $now(),
             'executionId': $states.context.Execution.Id, 'dashboardUrl': $dashboardUrl, 'settings': $settings }`,
        ),
        TimeoutSeconds: 60,
        Retry: [LAMBDA_TRANSIENT],
        Catch: toAlert("Decide"),
        Assign: { decided: jsonata("$states.result.Payload") },
        Output: jsonata("{ 'alerts': $count($states.result.Payload.alerts) }"),
        Next: "HasAlerts",
      },
      HasAlerts: {
        Type: "Choice",
        Choices: [
          { Condition: jsonata("$count($decided.alerts) > 0"), Next: "Alert" },
          // Decisions folded into an incident already alerted are recorded all the same.
          { Condition: jsonata("$type($decided.insertSql) = 'string'"), Next: "Record" },
        ],
        Default: "Scored",
      },
      Alert: {
        Type: "Map",
        Comment: "Per anomaly or recovery: marketing's SNS message, then AnomalyDetected on the Freshet bus.",
        Items: jsonata("$decided.alerts"),
        MaxConcurrency: 4,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "NotifyMarketing",
          States: {
            NotifyMarketing: {
              Type: "Task",
              Resource: "arn:aws:states:::sns:publish",
              Arguments: {
                TopicArn: r.marketingAlertsTopicArn,
                Subject: jsonata("$states.input.subject"),
                Message: jsonata("$states.input.message"),
                MessageAttributes: jsonata(
                  "$merge($each($states.input.attributes, function($v, $k) { { $k: { 'DataType': 'String', 'StringValue': $v } } }))",
                ),
              },
              TimeoutSeconds: 20,
              Retry: [TRANSIENT],
              Output: jsonata("$states.input"),
              Next: "AnnounceAnomaly",
            },
            AnnounceAnomaly: {
              Type: "Task",
              Resource: "arn:aws:states:::events:putEvents",
              Arguments: {
                Entries: [{ EventBusName: r.busName, Source: ANOMALY_DETECTED_SOURCE, DetailType: ANOMALY_DETECTED_DETAIL_TYPE, Detail: jsonata("$states.input.detail") }],
              },
              TimeoutSeconds: 20,
              Retry: [TRANSIENT],
              Output: jsonata("$states.input.attributes.kind"),
              End: true,
            },
          },
        },
        Catch: toAlert("Alert"),
        Next: "Record",
      },
      Record: {
        Type: "Task",
        Comment: "The alerted anomalies and recoveries, one INSERT into `anomalies`.",
        Resource: "arn:aws:states:::aws-sdk:redshiftdata:executeStatement",
        Arguments: { ...warehouse, Sql: jsonata("$decided.insertSql"), StatementName: "freshet-anomaly-record" },
        TimeoutSeconds: 30,
        Retry: [THROTTLED, TRANSIENT],
        Catch: toAlert("Record"),
        Assign: { phase: "record", statementId: jsonata("$states.result.Id"), polls: 0 },
        Next: "WaitForStatement",
      },
      Scored: {
        Type: "Succeed",
        Output: jsonata(
          `{ 'series': $count($prepared.series), 'points': $prepared.points, 'alerts': $count($decided.alerts),
             'anomalies': $count($decided.alerts[attributes.kind = 'anomaly']), 'recoveries': $count($decided.alerts[attributes.kind = 'recovered']),
             'until': $fromMillis($untilMinute * 60000) }`,
        ),
      },
      AlertOps: {
        Type: "Task",
        Comment: "Pipeline trouble (the endpoint, the warehouse, the decider) is for operators, never for marketing.",
        Resource: "arn:aws:states:::sns:publish",
        Arguments: {
          TopicArn: r.opsAlertsTopicArn,
          Subject: jsonata("'Freshet: anomaly scoring failed at ' & $failure.step"),
          Message: jsonata(
            `'The AnomalyScoring workflow failed at ' & $failure.step & ' (' & $string($failure.error) & ': ' & $string($failure.cause) &
              '). No anomaly was decided for this window; the next run scores its minutes again. Execution ' & $states.context.Execution.Id & '.'`,
          ),
        },
        TimeoutSeconds: 20,
        Retry: [TRANSIENT],
        Next: "ScoringFailed",
      },
      ScoringFailed: {
        Type: "Fail",
        Error: "Freshet.AnomalyScoringFailed",
        Cause: jsonata("$failure.step & ': ' & $string($failure.error) & ': ' & $string($failure.cause)"),
      },
    },
  };
}

function permissions(r: WorkflowResources): WorkflowPermission[] {
  const fn = `arn:${r.partition}:lambda:${r.region}:${r.accountId}:function:${r.anomalyDeciderFunctionName}`;
  return [
    { actions: ["lambda:InvokeFunction"], resources: [fn, `${fn}:*`] },
    { actions: ["redshift-data:ExecuteStatement"], resources: [r.warehouseWorkgroupArn] },
    { actions: ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"], resources: ["*"], ownStatements: true },
    { actions: ["redshift-serverless:GetCredentials"], resources: [r.warehouseWorkgroupArn] },
    { actions: ["sagemaker:InvokeEndpoint"], resources: [anomalyEndpointArn(r)] },
    { actions: ["sns:Publish"], resources: [r.marketingAlertsTopicArn, r.opsAlertsTopicArn] },
    { actions: ["events:PutEvents"], resources: [r.busArn] },
  ];
}

export const AnomalyScoring: WorkflowDescription = {
  name: "AnomalyScoring",
  summary: "After each load (and every 15 minutes as a fallback): score business metrics with Random Cut Forest, alert marketing once per incident and on recovery.",
  definition,
  schedules: [{ name: ANOMALY_FALLBACK_SCHEDULE_NAME, expression: "rate(15 minutes)" }],
  rules: [{ name: "AfterLoad", bus: "freshet", eventPattern: { source: [LOAD_COMPLETED_SOURCE], "detail-type": [LOAD_COMPLETED_DETAIL_TYPE] } }],
  permissions,
};
