import type { WorkflowResources } from "@freshet/workflows";
import { LOCAL_RESOURCES } from "../platform/links.ts";

/** The local warehouse: the Redshift Data API on DuckDB answers for this workgroup and database. */
export const LOCAL_WAREHOUSE = { warehouseWorkgroupName: "freshet-local", warehouseDatabase: "freshet" } as const;

/**
 * The resources the workflows refer to on one machine, named as the local platform names what
 * `stacks/` declares (`freshet-local-<Name>`): the lake bucket, the `OpsAlerts` and
 * `MarketingAlerts` topics, the `Freshet` bus. The ARNs are in the region and account the
 * endpoint's services use (their default: us-east-1, 000000000000); the topics and the bus must
 * exist under these names before a workflow publishes to them or a rule is put on the bus.
 */
export function localWorkflowResources(account: { region?: string; accountId?: string } = {}): WorkflowResources {
  const region = account.region ?? "us-east-1";
  const accountId = account.accountId ?? "000000000000";
  const { app } = LOCAL_RESOURCES;
  const named = (resource: string) => `${app.name}-${app.stage}-${resource}`;
  return {
    app: app.name,
    stage: app.stage,
    partition: "aws",
    region,
    accountId,
    lakeBucket: LOCAL_RESOURCES.bucketName,
    opsAlertsTopicArn: `arn:aws:sns:${region}:${accountId}:${named("OpsAlerts")}`,
    marketingAlertsTopicArn: `arn:aws:sns:${region}:${accountId}:${named("MarketingAlerts")}`,
    busName: named("Freshet"),
    busArn: `arn:aws:events:${region}:${accountId}:event-bus/${named("Freshet")}`,
    ...LOCAL_WAREHOUSE,
    warehouseWorkgroupArn: `arn:aws:redshift-serverless:${region}:${accountId}:workgroup/${LOCAL_WAREHOUSE.warehouseWorkgroupName}`,
    warehouseCopyRoleArn: `arn:aws:iam::${accountId}:role/${named("WarehouseCopy")}`,
    loadPlannerFunctionName: named("LoadPlanner"),
    triageFunctionName: named("DeadLetterTriager"),
    anomalyEndpointName: named("anomaly"),
    anomalyDeciderFunctionName: named("AnomalyDecider"),
  };
}
