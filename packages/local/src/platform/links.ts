import { stateMachineArn, stateMachineName, type WorkflowResources } from "@freshet/workflows";

/** Names the local platform gives the resources `stacks/` declares. */
export const LOCAL_RESOURCES = {
  app: { name: "freshet", stage: "local" },
  streamName: "freshet-local-Events",
  bucketName: "freshet-local-lake",
} as const;

/**
 * SST links as the `sst` package reads them outside a deployed function: `SST_RESOURCE_<Name>`
 * JSON variables. With these, `Resource.Events.name` in a handler resolves locally exactly as
 * it does in AWS.
 */
export function linkEnvironment(apiKey: string, resources: WorkflowResources, metricsApiKey?: string): Record<string, string> {
  return {
    ...(metricsApiKey === undefined ? {} : { SST_RESOURCE_MetricsApiKey: JSON.stringify({ type: "sst.sst.Secret", value: metricsApiKey }) }),
    SST_RESOURCE_MarketingAlerts: JSON.stringify({ type: "sst.aws.SnsTopic", arn: resources.marketingAlertsTopicArn }),
    SST_RESOURCE_OpsAlerts: JSON.stringify({ type: "sst.aws.SnsTopic", arn: resources.opsAlertsTopicArn }),
    SST_RESOURCE_Freshet: JSON.stringify({ type: "sst.aws.Bus", name: resources.busName, arn: resources.busArn }),
    SST_RESOURCE_Warehouse: JSON.stringify({
      type: "sst.sst.Linkable",
      workgroup: resources.warehouseWorkgroupName,
      database: resources.warehouseDatabase,
      copyRoleArn: resources.warehouseCopyRoleArn,
    }),
    SST_RESOURCE_App: JSON.stringify(LOCAL_RESOURCES.app),
    SST_RESOURCE_Events: JSON.stringify({ type: "sst.aws.KinesisStream", name: LOCAL_RESOURCES.streamName }),
    SST_RESOURCE_Lake: JSON.stringify({ type: "sst.aws.Bucket", name: LOCAL_RESOURCES.bucketName }),
    SST_RESOURCE_IngestApiKey: JSON.stringify({ type: "sst.sst.Secret", value: apiKey }),
    SST_RESOURCE_DeadLetterTriageWorkflow: JSON.stringify({
      type: "sst.sst.Linkable",
      arn: stateMachineArn(resources, "DeadLetterTriage"),
      name: stateMachineName(resources, "DeadLetterTriage"),
    }),
  };
}

/** What every SDK client needs to reach the embedded endpoint; only the endpoint differs from AWS. */
export function endpointEnvironment(endpointUrl: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
}
