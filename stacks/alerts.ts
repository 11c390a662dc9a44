import type { StageConfig } from "./config.ts";

export interface Alerts {
  /** Anomalies in business metrics, for the marketing team. */
  readonly marketingAlerts: sst.aws.SnsTopic;
  /** Pipeline failures (loads, dead letters, stuck batches), for whoever runs Freshet. */
  readonly opsAlerts: sst.aws.SnsTopic;
  /** Freshet's domain events (`LoadCompleted`, `AnomalyDetected`, …). */
  readonly bus: sst.aws.Bus;
}

export function createAlerts(config?: Pick<StageConfig, "alerts">): Alerts {
  const marketingAlerts = new sst.aws.SnsTopic("MarketingAlerts");
  for (const email of config?.alerts.marketingEmails ?? []) subscribeEmail(marketingAlerts, email);
  return {
    marketingAlerts,
    opsAlerts: new sst.aws.SnsTopic("OpsAlerts"),
    bus: new sst.aws.Bus("Freshet"),
  };
}

/**
 * One email subscription (SNS sends a confirmation first). Named after the address, so adding or
 * removing one address leaves the others' subscriptions (and confirmations) alone.
 */
function subscribeEmail(topic: sst.aws.SnsTopic, email: string): aws.sns.TopicSubscription {
  const name = email.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(" ").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return new aws.sns.TopicSubscription(`MarketingAlertsEmail${name}`, { topic: topic.arn, protocol: "email", endpoint: email });
}
