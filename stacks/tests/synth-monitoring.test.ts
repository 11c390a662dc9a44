/**
 * stacks/monitoring.ts under the mock synthesis: every alarm's metric, statistic, threshold,
 * missing-data treatment and actions (OpsAlerts on ALARM and OK), and the dashboard's body.
 */
import { METRIC_NAMES, METRICS_NAMESPACE } from "@freshet/core";
import { WORKFLOWS } from "@freshet/workflows";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../config.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
const alarm = (id: string) => r().one(ALARM, `${id}Alarm`).inputs;
const ops = () => r().one("aws:sns/topic:Topic", "OpsAlertsTopic").outputs.arn as string;
const apiId = () => {
  const api = r().one("aws:apigatewayv2/api:Api", "ApiApi");
  return (api.outputs.name as string | undefined) ?? "ApiApi-id";
};
const machineArn = (name: string) => r().one("aws:sfn/stateMachine:StateMachine", `${name}StateMachine`).outputs.arn as string;

interface Expected {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, unknown>;
  readonly statistic: string;
  readonly period: number;
  readonly threshold: number;
  readonly evaluationPeriods?: number;
}

const EXPECTED = (): Expected[] => {
  const interval = DEFAULTS.warehouse.loadIntervalMinutes * 60;
  const perWorkflow: Expected[] = WORKFLOWS.flatMap((w) => [
    { id: `${w.name}Failed`, namespace: "AWS/States", metricName: "ExecutionsFailed", dimensions: { StateMachineArn: machineArn(w.name) }, statistic: "Sum", period: 300, threshold: 0 },
    { id: `${w.name}TimedOut`, namespace: "AWS/States", metricName: "ExecutionsTimedOut", dimensions: { StateMachineArn: machineArn(w.name) }, statistic: "Sum", period: 300, threshold: 0 },
  ]);
  return [
    { id: "ConsumerLag", namespace: "AWS/Kinesis", metricName: "GetRecords.IteratorAgeMilliseconds", dimensions: { StreamName: r().one("aws:kinesis/stream:Stream", "EventsStream").outputs.name }, statistic: "Maximum", period: 300, threshold: DEFAULTS.monitoring.consumerLagSeconds * 1000, evaluationPeriods: 3 },
    { id: "TransformerErrors", namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: r().lambda("Transformer").fn.outputs.name }, statistic: "Sum", period: 300, threshold: 0 },
    { id: "TransformerThrottles", namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { FunctionName: r().lambda("Transformer").fn.outputs.name }, statistic: "Sum", period: 300, threshold: 0 },
    { id: "TransformerFailuresQueue", namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: r().one("aws:sqs/queue:Queue", "TransformerFailuresQueue").outputs.name }, statistic: "Maximum", period: 300, threshold: 0 },
    { id: "LoadFreshness", namespace: METRICS_NAMESPACE, metricName: METRIC_NAMES.loadLag, dimensions: { service: "load-planner" }, statistic: "Maximum", period: interval, threshold: 2 * interval },
    { id: "Ingest5xx", namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { ApiId: apiId(), Stage: "$default" }, statistic: "Sum", period: 300, threshold: 0 },
    ...perWorkflow,
  ];
};

describe("alarms", () => {
  it("watch each metric with its statistic, threshold and period, and tell OpsAlerts on ALARM and OK", () => {
    for (const e of EXPECTED()) {
      expect(alarm(e.id), e.id).toMatchObject({
        name: `freshet-ci-${e.id}`,
        namespace: e.namespace,
        metricName: e.metricName,
        dimensions: e.dimensions,
        statistic: e.statistic,
        period: e.period,
        comparisonOperator: "GreaterThanThreshold",
        threshold: e.threshold,
        evaluationPeriods: e.evaluationPeriods ?? 1,
        treatMissingData: "notBreaching",
        alarmActions: [ops()],
        okActions: [ops()],
      });
      expect(alarm(e.id).alarmDescription, e.id).toMatch(/\. .+/);
    }
  });

  it("alarm on the dead-letter rate as metric math over the transformer's counts, at the stage's threshold", () => {
    const a = alarm("DeadLetterRate");
    expect(a).toMatchObject({ threshold: DEFAULTS.monitoring.deadLetterRate, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, treatMissingData: "notBreaching", alarmActions: [ops()], okActions: [ops()] });
    expect(a.metricName).toBeUndefined();
    const q = Object.fromEntries((a.metricQueries as { id: string }[]).map((x) => [x.id, x])) as Record<string, any>;
    expect(q.dead.metric).toEqual({ namespace: METRICS_NAMESPACE, metricName: METRIC_NAMES.eventsDeadLettered, dimensions: { service: "transformer" }, stat: "Sum", period: 300 });
    expect(q.received.metric).toEqual({ namespace: METRICS_NAMESPACE, metricName: METRIC_NAMES.recordsReceived, dimensions: { service: "transformer" }, stat: "Sum", period: 300 });
    expect(q.rate).toMatchObject({ expression: "dead / received", returnData: true });
    expect([q.dead.returnData, q.received.returnData]).toEqual([false, false]);
  });

  it("are exactly these, one failed and one timed-out alarm per workflow", () => {
    const names = r().ofType(ALARM).map((a) => a.name.replace(/Alarm$/, "")).sort();
    expect(names).toEqual([...EXPECTED().map((e) => e.id), "DeadLetterRate"].sort());
  });
});

describe("dashboard", () => {
  const body = () => JSON.parse(r().one("aws:cloudwatch/dashboard:Dashboard", "PipelineDashboard").inputs.dashboardBody as string) as { widgets: any[] };
  const metricsOf = (title: RegExp) => {
    const w = body().widgets.find((x) => title.test(x.properties.title));
    if (!w) throw new Error(`no widget ${title}`);
    return (w.properties.metrics as unknown[][]).map((m) => m.filter((p) => typeof p === "string"));
  };

  it("is named for the stage and lays metric widgets on the 24-column grid, each with its region", () => {
    const d = r().one("aws:cloudwatch/dashboard:Dashboard", "PipelineDashboard");
    expect(d.inputs.dashboardName).toBe("freshet-ci-pipeline");
    for (const w of body().widgets) {
      expect(w).toMatchObject({ type: "metric", properties: { region: "us-east-1" } });
      expect(w.x + w.width).toBeLessThanOrEqual(24);
    }
  });

  it("shows throughput, lag, errors, loads and anomalies from the metrics the alarms and functions use", () => {
    const t = (name: string) => [METRICS_NAMESPACE, name, "service", "transformer"];
    expect(metricsOf(/Throughput/)).toEqual(expect.arrayContaining([t(METRIC_NAMES.recordsReceived), t(METRIC_NAMES.eventsProcessed), t(METRIC_NAMES.eventsFiltered), t(METRIC_NAMES.eventsDeadLettered)]));
    expect(metricsOf(/Lag/)).toEqual(expect.arrayContaining([
      [alarm("ConsumerLag").namespace, alarm("ConsumerLag").metricName, "StreamName", alarm("ConsumerLag").dimensions.StreamName],
      t(METRIC_NAMES.endToEndLag),
      [METRICS_NAMESPACE, METRIC_NAMES.loadLag, "service", "load-planner"],
    ]));
    expect(metricsOf(/Errors/)).toEqual(expect.arrayContaining([
      ["AWS/Lambda", "Errors", "FunctionName", alarm("TransformerErrors").dimensions.FunctionName],
      ["AWS/ApiGateway", "5xx", "ApiId", apiId(), "Stage", "$default"],
      ...WORKFLOWS.map((w) => ["AWS/States", "ExecutionsFailed", "StateMachineArn", machineArn(w.name)]),
    ]));
    expect(metricsOf(/Loads/)).toEqual(expect.arrayContaining([[METRICS_NAMESPACE, METRIC_NAMES.loadRowsPlanned, "service", "load-planner"]]));
    expect(metricsOf(/Anomalies/)).toEqual([[METRICS_NAMESPACE, METRIC_NAMES.anomalyAlerts, "service", "anomaly-decider"]]);
  });
});
