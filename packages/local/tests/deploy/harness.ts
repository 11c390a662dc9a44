import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SFNClient } from "@aws-sdk/client-sfn";
import type { WorkflowResources } from "@freshet/workflows";
import { localWorkflowResources } from "../../src/deploy/index.ts";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createEventsStub, type EventsStub } from "./stubs/events-stub.ts";
import { createSchedulerStub, type SchedulerStub } from "./stubs/scheduler-stub.ts";
import { createSfnStub, type SfnStub } from "./stubs/sfn-stub.ts";

/** The account the stub services live in: not the one in `RESOURCES`, so a deployment that
 *  computed ARNs instead of using the service's would be caught. */
export const SERVICE_ACCOUNT = "111122223333";

/** What `npm start` deploys with: the local platform's names, the services' default account. */
export const RESOURCES: WorkflowResources = localWorkflowResources();

export interface DeployHarness {
  readonly sfn: SfnStub;
  readonly scheduler: SchedulerStub;
  readonly events: EventsStub;
  /** Fresh SDK clients, as a restarted `npm start` would build them. */
  clients(): { sfn: SFNClient; scheduler: SchedulerClient; events: EventBridgeClient };
  stop(): Promise<void>;
}

export async function startDeployHarness(options: { sfnPageSize?: number } = {}): Promise<DeployHarness> {
  const sfn = createSfnStub({ accountId: SERVICE_ACCOUNT, pageSize: options.sfnPageSize });
  const scheduler = createSchedulerStub({ accountId: SERVICE_ACCOUNT });
  const events = createEventsStub({ accountId: SERVICE_ACCOUNT, buses: ["default", RESOURCES.busName] });
  const endpoint: RunningEndpoint = await startEndpoint({ services: [sfn, scheduler, events] });
  const made: { destroy(): void }[] = [];
  const config = {
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
  return {
    sfn,
    scheduler,
    events,
    clients() {
      const clients = { sfn: new SFNClient(config), scheduler: new SchedulerClient(config), events: new EventBridgeClient(config) };
      made.push(...Object.values(clients));
      return clients;
    },
    async stop() {
      for (const client of made) client.destroy();
      await endpoint.close();
    },
  };
}
