import type { WorkflowResources } from "@freshet/workflows";

/** Two stages' worth of resources: definitions must follow them, never hard-code one. */
export const CI_RESOURCES: WorkflowResources = {
  app: "freshet",
  stage: "ci",
  partition: "aws",
  region: "us-east-1",
  accountId: "123456789012",
  lakeBucket: "freshet-ci-lakebucket-abc123",
  opsAlertsTopicArn: "arn:aws:sns:us-east-1:123456789012:freshet-ci-OpsAlertsTopic",
  marketingAlertsTopicArn: "arn:aws:sns:us-east-1:123456789012:freshet-ci-MarketingAlertsTopic",
  busName: "freshet-ci-FreshetBus",
  busArn: "arn:aws:events:us-east-1:123456789012:event-bus/freshet-ci-FreshetBus",
};

export const CN_RESOURCES: WorkflowResources = {
  app: "freshet",
  stage: "prod-cn",
  partition: "aws-cn",
  region: "cn-north-1",
  accountId: "210987654321",
  lakeBucket: "freshet-prod-cn-lake",
  opsAlertsTopicArn: "arn:aws-cn:sns:cn-north-1:210987654321:OpsAlerts",
  marketingAlertsTopicArn: "arn:aws-cn:sns:cn-north-1:210987654321:MarketingAlerts",
  busName: "freshet-prod-cn-Freshet",
  busArn: "arn:aws-cn:events:cn-north-1:210987654321:event-bus/freshet-prod-cn-Freshet",
};
