export interface Alerts {
  /** Anomalies in business metrics, for the marketing team. */
  readonly marketingAlerts: sst.aws.SnsTopic;
  /** Pipeline failures (loads, dead letters, stuck batches), for whoever runs Freshet. */
  readonly opsAlerts: sst.aws.SnsTopic;
  /** Freshet's domain events (`LoadCompleted`, `AnomalyDetected`, …). */
  readonly bus: sst.aws.Bus;
}

export function createAlerts(): Alerts {
  return {
    marketingAlerts: new sst.aws.SnsTopic("MarketingAlerts"),
    opsAlerts: new sst.aws.SnsTopic("OpsAlerts"),
    bus: new sst.aws.Bus("Freshet"),
  };
}
