import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { jsonErrorResponse, type EndpointService } from "../../src/endpoint/service.ts";
import { amzTarget } from "../../src/endpoint/signing.ts";
import { TestClock } from "../../src/eventbridge/clock.ts";
import { createEventBridgeService, type EventBridgeService, type EventBridgeServiceOptions } from "../../src/eventbridge/index.ts";

export const credentials = { accessKeyId: "test", secretAccessKey: "test" };
export const ACCOUNT = "000000000000";
export const REGION = "us-east-1";
export const STATE_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Load`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/EventsToStates`;

export interface StartedExecution {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: unknown;
}

/**
 * A stand-in for the Step Functions service: answers StartExecution as AWS does (AWS JSON 1.0) and
 * records each call. `fail` makes the next calls answer with the given error.
 */
export function stepFunctionsStub() {
  const executions: StartedExecution[] = [];
  const failures: { type: string; status: number }[] = [];
  const service: EndpointService = {
    name: "states-stub",
    matches: (req) => amzTarget(req)?.prefix === "AWSStepFunctions",
    async handle(req) {
      const failure = failures.shift();
      if (failure) return jsonErrorResponse(failure.status, failure.type, "injected failure");
      const body = JSON.parse(req.body.toString("utf8")) as { stateMachineArn: string; name: string; input: string };
      if (!body.stateMachineArn.endsWith(":Load") && !body.stateMachineArn.endsWith(":Other")) {
        return jsonErrorResponse(400, "StateMachineDoesNotExist", `State Machine Does Not Exist: '${body.stateMachineArn}'`);
      }
      executions.push({ stateMachineArn: body.stateMachineArn, name: body.name, input: JSON.parse(body.input) });
      return {
        status: 200,
        headers: { "content-type": "application/x-amz-json-1.0" },
        body: JSON.stringify({ executionArn: `${body.stateMachineArn.replace(":stateMachine:", ":execution:")}:${body.name}`, startDate: 1 }),
      };
    },
  };
  return {
    service,
    executions,
    fail(type: string, status: number, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ type, status });
    },
  };
}

export interface EventBridgeHarness {
  readonly dataDir: string;
  readonly clock: TestClock;
  readonly endpoint: RunningEndpoint;
  readonly client: EventBridgeClient;
  readonly events: EventBridgeService;
  readonly sfn: ReturnType<typeof stepFunctionsStub>;
  /** Stops everything, keeping the data directory. */
  stop(): Promise<void>;
  /** Stops and removes the data directory. */
  dispose(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "freshet-events-"));
}

export async function startEventBridge(
  options: Partial<EventBridgeServiceOptions> & { dataDir?: string; clock?: TestClock } = {},
): Promise<EventBridgeHarness> {
  const dataDir = options.dataDir ?? tempDataDir();
  const clock = options.clock ?? new TestClock(Date.UTC(2026, 10, 26, 10, 0, 0));
  const sfn = stepFunctionsStub();
  let url = "";
  const events = createEventBridgeService({ log: () => undefined, ...options, dataDir, clock, endpointUrl: () => url });
  const endpoint = await startEndpoint({ services: [events, sfn.service] });
  url = endpoint.url;
  clock.waitFor(() => events.idle());
  const client = new EventBridgeClient({ endpoint: endpoint.url, region: REGION, credentials, maxAttempts: 1 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await endpoint.close();
  };
  return {
    dataDir,
    clock,
    endpoint,
    client,
    events,
    sfn,
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Awaits `promise` expecting an SDK service error; returns it for assertions. */
export async function serviceError(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}
