import { METRIC_NAMES, METRIC_SERVICES, METRICS_NAMESPACE, SERVICE_DIMENSION } from "@freshet/core";
import { logGroupName, stateMachineName } from "@freshet/workflows";
import type { StageConfig } from "./config.ts";
import type { Ingest } from "./ingest.ts";
import type { DeployedWorkflow } from "./workflows.ts";

/**
 * The pipeline's CloudWatch alarms (each to OpsAlerts on ALARM and on OK, with a one-line
 * runbook in its description) and its dashboard. Every alarm keeps quiet on an idle pipeline and
 * on a fresh deploy: the metrics it watches exist only while something happens (an invocation,
 * an execution, a request, a planner run), so missing data is treated as not breaching.
 */

export interface MonitoringInput {
  readonly config: Pick<StageConfig, "monitoring" | "warehouse">;
  readonly ingest: Pick<Ingest, "api" | "stream" | "transformer" | "failures">;
  readonly workflows: Readonly<Record<string, DeployedWorkflow>>;
  readonly opsAlerts: sst.aws.SnsTopic;
}

export interface Monitoring {
  /** By alarm id (`ConsumerLag`, `LoadFailed`, …). */
  readonly alarms: Readonly<Record<string, aws.cloudwatch.MetricAlarm>>;
  readonly dashboard: aws.cloudwatch.Dashboard;
}

/** SST's ApiGatewayV2 deploys one auto-deployed stage named `$default` (platform/src/components/aws/apigatewayv2.ts). */
export const API_STAGE = "$default";
/** Five minutes: what AWS services publish at without cost, and what the counts are summed over. */
const PERIOD = 300;

type Dimensions = Record<string, $util.Input<string>>;
interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Dimensions;
}

const freshet = (metricName: string, service: string): Metric => ({
  namespace: METRICS_NAMESPACE,
  metricName,
  dimensions: { [SERVICE_DIMENSION]: service },
});

export function createMonitoring({ config, ingest, workflows, opsAlerts }: MonitoringInput): Monitoring {
  const prefix = `${$app.name}-${$app.stage}`;
  const actions = { alarmActions: [opsAlerts.arn], okActions: [opsAlerts.arn] };
  const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
  const alarm = (id: string, runbook: string, args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "alarmDescription" | "name">) => {
    alarms[id] = new aws.cloudwatch.MetricAlarm(`${id}Alarm`, { name: `${prefix}-${id}`, alarmDescription: runbook, ...actions, ...args });
  };
  const single = (metric: Metric, statistic: string, period = PERIOD) => ({
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: metric.dimensions,
    statistic,
    period,
  });

  const streamName = ingest.stream.name;
  const functionName = ingest.transformer.name;
  const queueName = ingest.failures.nodes.queue.name;
  const apiId = ingest.api.nodes.api.id;

  const iteratorAge: Metric = { namespace: "AWS/Kinesis", metricName: "GetRecords.IteratorAgeMilliseconds", dimensions: { StreamName: streamName } };
  // Missing: no GetRecords at all (no consumer polling), which the transformer's errors show; an idle stream still reports age 0.
  alarm("ConsumerLag", `The transformer lags the stream by over ${config.monitoring.consumerLagSeconds} s. Check the Transformer's errors, throttles and duration; records older than the mapping's maximum age go to TransformerFailures.`, {
    ...single(iteratorAge, "Maximum"),
    comparisonOperator: "GreaterThanThreshold",
    threshold: config.monitoring.consumerLagSeconds * 1000,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  });

  const lambda = (metricName: string): Metric => ({ namespace: "AWS/Lambda", metricName, dimensions: { FunctionName: functionName } });
  // Lambda reports Errors and Throttles only for invocations: an idle stream sends no data, which is healthy.
  alarm("TransformerErrors", "The Transformer failed invocations. Read its log group (/aws/lambda/<function>) for the error; the mapping retries, then bisects, then sends the batch to TransformerFailures.", {
    ...single(lambda("Errors"), "Sum"),
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });
  alarm("TransformerThrottles", "The Transformer was throttled. Check the account's Lambda concurrency (and any reserved concurrency); consumer lag follows.", {
    ...single(lambda("Throttles"), "Sum"),
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });

  const failuresVisible: Metric = { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: queueName } };
  // SQS reports a queue holding messages; an empty queue unused for hours may stop reporting, which is the healthy state.
  alarm("TransformerFailuresQueue", "A stream batch was given up on: each TransformerFailures message names its shard and sequence range. Replay it while the stream still retains it, then delete the message.", {
    ...single(failuresVisible, "Maximum"),
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });

  // Metric math: dead-lettered / received. No batch in the period gives no data point (idle), not a rate of 0/0.
  alarm("DeadLetterRate", `Over ${config.monitoring.deadLetterRate * 100} % of received records were dead-lettered. See DeadLettersByReason on the dashboard and the dlq/ prefix; DeadLetterTriage repairs what it can.`, {
    metricQueries: [
      { id: "dead", returnData: false, metric: { ...metricOf(freshet(METRIC_NAMES.eventsDeadLettered, METRIC_SERVICES.transformer)), stat: "Sum", period: PERIOD } },
      { id: "received", returnData: false, metric: { ...metricOf(freshet(METRIC_NAMES.recordsReceived, METRIC_SERVICES.transformer)), stat: "Sum", period: PERIOD } },
      { id: "rate", expression: "dead / received", label: "Dead-letter rate", returnData: true },
    ],
    comparisonOperator: "GreaterThanThreshold",
    threshold: config.monitoring.deadLetterRate,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });

  for (const [name, workflow] of Object.entries(workflows)) {
    const stage = { app: $app.name, stage: $app.stage };
    const where = `state machine ${stateMachineName(stage, name)} in the Step Functions console (log group ${logGroupName(stage, name)})`;
    const states = (metricName: string): Metric => ({ namespace: "AWS/States", metricName, dimensions: { StateMachineArn: workflow.stateMachine.arn } });
    // Step Functions reports executions that happened; none (before the first schedule, or an unused workflow) is no failure.
    alarm(`${name}Failed`, `A ${name} execution failed. Open ${where}, filter executions by Failed and read the failing state's error and cause.`, {
      ...single(states("ExecutionsFailed"), "Sum"),
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    });
    alarm(`${name}TimedOut`, `A ${name} execution timed out. Open ${where}, filter executions by Timed out and see which state it was waiting in.`, {
      ...single(states("ExecutionsTimedOut"), "Sum"),
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    });
  }

  const intervalSeconds = config.warehouse.loadIntervalMinutes * 60;
  // The planner reports LoadLag on every run, 0 when nothing waits (an idle pipeline). Missing data is
  // no run yet (fresh deploy) or maintenance pausing loads: not staleness. A Load that fails or hangs
  // is the LoadFailed / LoadTimedOut alarms'.
  alarm("LoadFreshness", `Processed data has waited over two Load intervals (${2 * intervalSeconds} s) for the warehouse. Check the Load state machine's recent executions (failed, slow COPY, maintenance pause) and LoadObjectsPending.`, {
    ...single(freshet(METRIC_NAMES.loadLag, METRIC_SERVICES.loadPlanner), "Maximum", intervalSeconds),
    comparisonOperator: "GreaterThanThreshold",
    threshold: 2 * intervalSeconds,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });

  const api5xx: Metric = { namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { ApiId: apiId, Stage: API_STAGE } };
  // No requests, no data: an idle ingest is healthy.
  alarm("Ingest5xx", "The ingest answered 5xx: clients will retry. Read the Ingest function's log group for Kinesis throttling (PutRecords) or errors.", {
    ...single(api5xx, "Sum"),
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });

  const region = aws.getRegionOutput().region;
  const dashboardName = `${prefix}-pipeline`;
  const dashboard = new aws.cloudwatch.Dashboard("PipelineDashboard", {
    dashboardName,
    dashboardBody: $jsonStringify(
      $resolve({ region, streamName, functionName, queueName, apiId, machines: $resolve(Object.fromEntries(Object.entries(workflows).map(([n, w]) => [n, w.stateMachine.arn]))) }).apply(
        (r) => dashboardBody({ ...r, intervalSeconds }),
      ),
    ),
  });

  return { alarms, dashboard };
}

function metricOf(metric: Metric) {
  return { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions };
}

interface DashboardValues {
  readonly region: string;
  readonly streamName: string;
  readonly functionName: string;
  readonly queueName: string;
  readonly apiId: string;
  readonly machines: Record<string, string>;
  readonly intervalSeconds: number;
}

/**
 * A CloudWatch dashboard body ("Dashboard Body Structure and Syntax"): metric widgets, each
 * metric `[namespace, name, dimension, value, …, { options }]`, laid out on the 24-column grid.
 */
export function dashboardBody(v: DashboardValues): { widgets: unknown[] } {
  const t = (name: string) => [METRICS_NAMESPACE, name, SERVICE_DIMENSION, METRIC_SERVICES.transformer];
  const lp = (name: string) => [METRICS_NAMESPACE, name, SERVICE_DIMENSION, METRIC_SERVICES.loadPlanner];
  const widget = (title: string, x: number, y: number, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: v.region, view: "timeSeries", stacked: false, period: PERIOD, stat: "Sum", metrics, ...extra },
  });
  const machines = Object.entries(v.machines);
  return {
    widgets: [
      widget("Throughput (events per 5 min)", 0, 0, [
        [METRICS_NAMESPACE, METRIC_NAMES.eventsAccepted, SERVICE_DIMENSION, METRIC_SERVICES.ingest],
        t(METRIC_NAMES.recordsReceived),
        t(METRIC_NAMES.eventsProcessed),
        t(METRIC_NAMES.eventsFiltered),
        t(METRIC_NAMES.eventsDeadLettered),
      ]),
      widget("Lag", 12, 0, [
        ["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", v.streamName, { stat: "Maximum", label: "Consumer lag (ms)" }],
        [...t(METRIC_NAMES.endToEndLag), { stat: "Maximum", label: "Received → lake (ms)" }],
        [...lp(METRIC_NAMES.loadLag), { stat: "Maximum", label: "Load lag (s)", yAxis: "right" }],
        [...t(METRIC_NAMES.batchDuration), { stat: "Average", label: "Batch duration (ms)" }],
      ]),
      widget("Errors", 0, 6, [
        ["AWS/Lambda", "Errors", "FunctionName", v.functionName, { label: "Transformer errors" }],
        ["AWS/Lambda", "Throttles", "FunctionName", v.functionName, { label: "Transformer throttles" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", v.queueName, { stat: "Maximum", label: "TransformerFailures messages" }],
        ["AWS/ApiGateway", "5xx", "ApiId", v.apiId, "Stage", API_STAGE, { label: "Ingest 5xx" }],
        ...machines.flatMap(([name, arn]) => [
          ["AWS/States", "ExecutionsFailed", "StateMachineArn", arn, { label: `${name} failed` }],
          ["AWS/States", "ExecutionsTimedOut", "StateMachineArn", arn, { label: `${name} timed out` }],
        ]),
      ]),
      widget("Loads", 12, 6, [
        lp(METRIC_NAMES.loadObjectsPlanned),
        lp(METRIC_NAMES.loadRowsPlanned),
        ...(v.machines.Load === undefined ? [] : [["AWS/States", "ExecutionsSucceeded", "StateMachineArn", v.machines.Load, { label: "Load succeeded" }]]),
      ], { period: v.intervalSeconds }),
      widget("Dead letters by reason", 0, 12, [
        [{ expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},reason} MetricName="${METRIC_NAMES.deadLettersByReason}"', 'Sum', ${PERIOD})`, id: "reasons", label: "" }],
      ]),
      widget("Anomalies", 12, 12, [[METRICS_NAMESPACE, METRIC_NAMES.anomalyAlerts, SERVICE_DIMENSION, METRIC_SERVICES.anomalyDecider, { label: "Anomalies alerted" }]]),
    ],
  };
}
