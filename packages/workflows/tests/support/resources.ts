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
  warehouseWorkgroupName: "freshet-ci",
  warehouseWorkgroupArn: "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0b8e8a52-ci",
  warehouseDatabase: "freshet",
  warehouseCopyRoleArn: "arn:aws:iam::123456789012:role/freshet-ci-WarehouseCopyRole",
  loadPlannerFunctionName: "freshet-ci-LoadPlannerFunction-abc123",
  triageFunctionName: "freshet-ci-DeadLetterTriagerFunction-abc123",
  anomalyEndpointName: "freshet-ci-anomaly",
  anomalyDeciderFunctionName: "freshet-ci-AnomalyDeciderFunction-abc123",
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
  warehouseWorkgroupName: "freshet-prod-cn",
  warehouseWorkgroupArn: "arn:aws-cn:redshift-serverless:cn-north-1:210987654321:workgroup/77aa31c0-cn",
  warehouseDatabase: "analytics",
  warehouseCopyRoleArn: "arn:aws-cn:iam::210987654321:role/freshet-prod-cn-WarehouseCopyRole",
  loadPlannerFunctionName: "freshet-prod-cn-LoadPlanner",
  triageFunctionName: "freshet-prod-cn-DeadLetterTriager",
  anomalyEndpointName: "freshet-prod-cn-anomaly",
  anomalyDeciderFunctionName: "freshet-prod-cn-AnomalyDecider",
};
