import { CreateEventBusCommand, EventBridgeClient, ResourceAlreadyExistsException } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SFNClient } from "@aws-sdk/client-sfn";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import type { WorkflowResources } from "@freshet/workflows";

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
