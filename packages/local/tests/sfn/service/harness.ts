import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { S3Client } from "@aws-sdk/client-s3";
import { startEndpoint, type RunningEndpoint } from "../../../src/endpoint/server.ts";
import type { EndpointService } from "../../../src/endpoint/service.ts";
import { createS3Service } from "../../../src/s3/index.ts";
import type { Clock } from "../../../src/sfn/interpreter/contract.ts";
import type { ExecutionRetention } from "../../../src/sfn/service/retention.ts";
import { createStepFunctionsService, type LambdaRegistry, type StepFunctionsService } from "../../../src/sfn/service/index.ts";

export const ROLE_ARN = "arn:aws:iam::000000000000:role/freshet-local-workflows";

export interface SfnHarness {
  readonly dataDir: string;
  readonly endpoint: RunningEndpoint;
  readonly service: StepFunctionsService;
  /** Clients as a handler builds them: only endpoint, region and credentials set. */
  readonly sfn: SFNClient;
  readonly s3: S3Client;
  /** Closes service and endpoint and starts both again on the same data directory, resuming executions. */
  restart(): Promise<SfnHarness>;
  stop(): Promise<void>;
}

export interface SfnHarnessOptions {
  readonly dataDir?: string;
  readonly clock: Clock;
  readonly lambdaFunctions?: LambdaRegistry;
  /** Other services, tried before Step Functions and S3 (S3 is the fallback and stays last). */
  readonly services?: readonly EndpointService[];
  readonly executionRetention?: ExecutionRetention;
}

export async function startSfn(options: SfnHarnessOptions): Promise<SfnHarness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "freshet-sfn-")));
  let endpoint: RunningEndpoint | undefined;
  const service = createStepFunctionsService({
    dataDir,
    clock: options.clock,
    lambdaFunctions: options.lambdaFunctions,
    endpointUrl: () => endpoint?.url,
    ...(options.executionRetention ? { executionRetention: options.executionRetention } : {}),
  });
  const s3Service = createS3Service({ dataDir });
  endpoint = await startEndpoint({ services: [...(options.services ?? []), service, s3Service] });
  service.resumeExecutions();
  const config = { endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
  const sfn = new SFNClient(config);
  const s3 = new S3Client(config);
  const running = endpoint;
  const close = async () => {
    sfn.destroy();
    s3.destroy();
    await service.close();
    await running.close();
    await s3Service.close?.();
  };
  return {
    dataDir,
    endpoint: running,
    service,
    sfn,
    s3,
    async restart() {
      await close();
      return startSfn({ ...options, dataDir });
    },
    stop: close,
  };
}

export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}

/** A JSONata state machine definition as JSON text. */
export function definition(startAt: string, states: Record<string, object>): string {
  return JSON.stringify({ QueryLanguage: "JSONata", StartAt: startAt, States: states });
}

export async function createMachine(h: SfnHarness, name: string, text: string): Promise<string> {
  const created = await h.sfn.send(new CreateStateMachineCommand({ name, definition: text, roleArn: ROLE_ARN }));
  return created.stateMachineArn!;
}

/** Starts an execution and waits for its end; returns DescribeExecution's answer. */
export async function runToEnd(h: SfnHarness, stateMachineArn: string, input: unknown = {}, name?: string) {
  const { executionArn } = await h.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  await h.service.waitForExecution(executionArn!);
  return h.sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/** Polls until `check` holds (for states reached through real I/O); fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
