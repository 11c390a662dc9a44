import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import type { WorkflowResources } from "@freshet/workflows";
import { vi } from "vitest";
import { lambdaContext } from "../../src/lambda/context.ts";
import { endpointEnvironment, linkEnvironment, LOCAL_RESOURCES } from "../../src/platform/links.ts";
import type { LambdaHandler } from "../../src/sfn/index.ts";

/** The event a test listens for: put on the Freshet bus by the workflow, delivered to `topic`. */
export interface Announcement {
  readonly rule: string;
  readonly source: string;
  readonly detailType: string;
  readonly topic: string;
}

/**
 * What the warehouse workflows' tests need on an embedded endpoint, as the platform and a deploy
 * provide it: the handlers' environment (for the whole file; restore with `vi.unstubAllEnvs`), the
 * LoadPlanner and Migrate functions registered in `functions`, the lake bucket, OpsAlerts, the
 * Freshet bus with a rule sending `announcement` to its own topic, and the warehouse migrated.
 */
export async function provisionWarehouseWorkflows(url: string, resources: WorkflowResources, functions: Record<string, unknown>, announcement: Announcement) {
  const env = { ...endpointEnvironment(url), ...linkEnvironment("test-key", resources), POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_LOG_LEVEL: "SILENT" };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // Imported only now: the handlers read their links when imported, their clients credentials when first used.
  const { handler: planner } = (await import("@freshet/functions/load-planner")) as unknown as { handler: LambdaHandler };
  const { handler: migrate } = (await import("@freshet/functions/migrate")) as unknown as { handler: LambdaHandler };
  Object.assign(functions, { [resources.loadPlannerFunctionName]: planner, "freshet-local-Migrate": migrate });

  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const clients = { s3: new S3Client({ ...config, forcePathStyle: true }), sfn: new SFNClient(config), redshift: new RedshiftDataClient(config) };
  const sns = new SNSClient(config);
  const events = new EventBridgeClient(config);
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: LOCAL_RESOURCES.bucketName }));
    await sns.send(new CreateTopicCommand({ Name: "freshet-local-OpsAlerts" }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: announcement.topic }));
    await events.send(new CreateEventBusCommand({ Name: resources.busName }));
    await events.send(
      new PutRuleCommand({
        Name: announcement.rule,
        EventBusName: resources.busName,
        EventPattern: JSON.stringify({ source: [announcement.source], "detail-type": [announcement.detailType] }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: announcement.rule, EventBusName: resources.busName, Targets: [{ Id: "sns", Arn: TopicArn }] }));
  } finally {
    sns.destroy();
    events.destroy();
  }
  return { ...clients, migrate: () => migrate({}, lambdaContext({ name: "freshet-local-Migrate", memoryMb: 256, timeoutMs: 300_000 })) };
}
