import { CreateEventBusCommand, EventBridgeClient, ResourceAlreadyExistsException } from "@aws-sdk/client-eventbridge";
import { CreateStreamCommand, DescribeStreamSummaryCommand, ResourceInUseException, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SFNClient } from "@aws-sdk/client-sfn";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { deadLetterLandedPattern, ruleName, type WorkflowResources } from "@freshet/workflows";
import { putRule } from "../deploy/rules.ts";
import { LOCAL_RESOURCES } from "./links.ts";

/** What `stacks/storage.ts` and `stacks/ingest.ts` create: the stream and the lake bucket (idempotent). */
export async function provisionStreamAndLake(kinesis: KinesisClient, s3: S3Client): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: LOCAL_RESOURCES.streamName, StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: LOCAL_RESOURCES.streamName }));
  try {
    await s3.send(new HeadBucketCommand({ Bucket: LOCAL_RESOURCES.bucketName }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_RESOURCES.bucketName }));
  }
}

/**
 * What `stacks/alerts.ts` creates, created the same way on the embedded endpoint: the two alert
 * topics and the `Freshet` bus. Idempotent (CreateTopic is; an existing bus is fine).
 */
export async function provisionOrchestration(resources: WorkflowResources): Promise<void> {
  const sns = new SNSClient({});
  const events = new EventBridgeClient({});
  try {
    for (const arn of [resources.opsAlertsTopicArn, resources.marketingAlertsTopicArn]) {
      await sns.send(new CreateTopicCommand({ Name: arn.slice(arn.lastIndexOf(":") + 1) }));
    }
    try {
      await events.send(new CreateEventBusCommand({ Name: resources.busName }));
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    }
  } finally {
    sns.destroy();
    events.destroy();
  }
}

/** SDK clients for deploying workflows; they read the endpoint from `AWS_ENDPOINT_URL`. */
export function orchestrationClients(): { sfn: SFNClient; scheduler: SchedulerClient; events: EventBridgeClient } {
  return { sfn: new SFNClient({}), scheduler: new SchedulerClient({}), events: new EventBridgeClient({}) };
}

/** The local name of the function the dead-letter rule invokes (`TriageDebounce` in stacks/triage.ts). */
export const TRIAGE_DEBOUNCE_FUNCTION = `${LOCAL_RESOURCES.app.name}-${LOCAL_RESOURCES.app.stage}-TriageDebounce`;

/**
 * What `stacks/triage.ts` creates besides the workflow: the rule on the default bus that sends
 * the lake's dead-letter "Object Created" events to `TriageDebounce` (idempotent: PutRule and
 * PutTargets are upserts).
 */
export async function provisionTriageTrigger(events: EventBridgeClient, resources: WorkflowResources): Promise<void> {
  await putRule(events, {
    name: ruleName(resources, "DeadLetterTriage", "DeadLettersLanded"),
    busName: "default",
    eventPattern: deadLetterLandedPattern(resources),
    description: "Dead letters landed in the lake: TriageDebounce",
    targetId: "TriageDebounce",
    targetArn: `arn:${resources.partition}:lambda:${resources.region}:${resources.accountId}:function:${TRIAGE_DEBOUNCE_FUNCTION}`,
  });
}
