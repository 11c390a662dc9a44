import { serveJson, type JsonProtocol } from "../../endpoint/json-protocol.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../../endpoint/service.ts";
import { amzTarget } from "../../endpoint/signing.ts";
import type { Clock } from "../interpreter/contract.ts";
import { realClock, runExecution, validateDefinition } from "../interpreter/index.ts";
import type { SfnContext, Operation } from "./api/context.ts";
import type { DefinitionValidator } from "./api/definition.ts";
import { describeExecution, listExecutions, startExecution, stopExecution } from "./api/executions.ts";
import { getExecutionHistory } from "./api/history.ts";
import type { JsonObject } from "./api/input.ts";
import {
  createStateMachine,
  deleteStateMachine,
  describeStateMachine,
  describeStateMachineForExecution,
  listStateMachines,
  listTagsForResource,
  tagResource,
  untagResource,
  updateStateMachine,
  validateStateMachineDefinition,
} from "./api/state-machines.ts";
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from "./api/task-tokens.ts";
import type { Account } from "./arns.ts";
import { executionDoesNotExist } from "./errors.ts";
import { createTaskInvoker } from "./integrations/invoker.ts";
import type { LambdaRegistry } from "./integrations/lambda.ts";
import { SdkClients } from "./integrations/sdk-clients.ts";
import type { ExecutionRecord } from "./records.ts";
import { ExecutionRunner, type RunExecution } from "./runner.ts";
import { SfnStore } from "./store.ts";
import type { ExecutionRetention } from "./retention.ts";
import { TaskTokens } from "./task-tokens.ts";

/** The interpreter's entry points the service drives (`../interpreter/`). */
export interface Interpreter {
  readonly runExecution: RunExecution;
  readonly validateDefinition: DefinitionValidator;
}

export interface StepFunctionsServiceOptions {
  /** State machines, executions and histories live in `<dataDir>/sfn/` and survive restarts. */
  readonly dataDir: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Default `000000000000`. */
  readonly accountId?: string;
  /** Real time (`realClock`, the default) in `npm start`, a `VirtualClock` in tests. */
  readonly clock?: Clock;
  /** Handlers `lambda:invoke` calls, by function name. */
  readonly lambdaFunctions?: LambdaRegistry;
  /**
   * The endpoint's own URL, read when a Task calls a service (sns:publish, aws-sdk:…):
   * clients go there with local credentials; when absent or undefined they reach AWS.
   */
  readonly endpointUrl?: () => string | undefined;
  /** The interpreter to run (default: `../interpreter/`); tests may wrap it. */
  readonly interpreter?: Interpreter;
  /** Finished executions kept per state machine (default 1,000 and 128 MiB). */
  readonly executionRetention?: ExecutionRetention;
}

/** An execution as `waitForExecution` reports it, input and output parsed. */
export interface ExecutionOutcome {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionRecord["status"];
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface StepFunctionsService extends EndpointService {
  readonly name: "states";
  /** Resolves when the execution has ended (at once if it has) and its run has settled. */
  waitForExecution(executionArn: string): Promise<ExecutionOutcome>;
  /**
   * Resumes the executions a previous process left RUNNING, each from its last checkpoint.
   * Call it once the endpoint is listening (their tasks may call it). Returns their ARNs.
   */
  resumeExecutions(): string[];
  /** Stops running executions without ending them (they resume after a restart) and releases clients. */
  close(): Promise<void>;
}

const TARGET_PREFIX = "AWSStepFunctions";

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateStateMachine: createStateMachine,
  UpdateStateMachine: updateStateMachine,
  DescribeStateMachine: describeStateMachine,
  DescribeStateMachineForExecution: describeStateMachineForExecution,
  ListStateMachines: listStateMachines,
  DeleteStateMachine: deleteStateMachine,
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  StartExecution: startExecution,
  DescribeExecution: describeExecution,
  ListExecutions: listExecutions,
  StopExecution: stopExecution,
  GetExecutionHistory: getExecutionHistory,
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};

const PROTOCOL: JsonProtocol<SfnContext> = {
  contentType: "application/x-amz-json-1.0",
  operations: OPERATIONS,
  unknownOperation: (name) => `Unknown operation ${name}`,
  unavailable: { type: "ServiceUnavailable", message: "The Step Functions service is shut down" },
};

/**
 * The Step Functions API on the embedded endpoint (AWS JSON 1.0, `X-Amz-Target:
 * AWSStepFunctions.<Op>`), running JSONata state machines with the local interpreter and the
 * task integrations of `integrations/`. Register it with `startEndpoint` before S3 (the fallback).
 */
export function createStepFunctionsService(options: StepFunctionsServiceOptions): StepFunctionsService {
  const account: Account = { region: options.region ?? "us-east-1", accountId: options.accountId ?? "000000000000" };
  const store = SfnStore.open(options.dataDir, options.executionRetention);
  const tokens = new TaskTokens();
  for (const record of store.executions.values()) tokens.markClosed(store.tokens(record));
  const clients = new SdkClients({ region: account.region, endpointUrl: options.endpointUrl });
  const interpreter: Interpreter = options.interpreter ?? { runExecution, validateDefinition };
  const clock = options.clock ?? realClock;
  const waiters = new Map<string, ((final?: ExecutionRecord) => void)[]>();

  const runner = new ExecutionRunner({
    store,
    clock,
    tokens,
    invokeTask: createTaskInvoker({
      lambda: { registry: options.lambdaFunctions ?? {}, region: account.region, accountId: account.accountId },
      clients,
      tokens,
      clock,
      onTokenIssued: (arn, token) => {
        const record = store.executions.get(arn);
        if (record) store.recordToken(record, token);
      },
    }),
    runExecution: interpreter.runExecution,
    onFinished: (record) => {
      for (const wake of waiters.get(record.arn) ?? []) wake(record);
      waiters.delete(record.arn);
      // A state machine deleted while it ran goes once its last execution ends.
      const machine = store.stateMachines.get(record.stateMachineName);
      const busy = [...store.executions.values()].some((e) => e.stateMachineName === record.stateMachineName && e.status === "RUNNING");
      if (machine?.status === "DELETING" && !busy) store.deleteStateMachine(machine.name);
    },
  });
  const ctx: SfnContext = {
    account,
    store,
    clock,
    runner,
    tokens,
    validate: interpreter.validateDefinition,
  };
  let closed = false;

  return {
    name: "states",
    matches: (req) => amzTarget(req)?.prefix === TARGET_PREFIX,
    handle(req: EndpointRequest): Promise<EndpointResponse> {
      return serveJson(PROTOCOL, ctx, amzTarget(req)?.operation ?? "", req, closed);
    },
    async waitForExecution(executionArn: string): Promise<ExecutionOutcome> {
      const record = store.executions.get(executionArn);
      if (!record) throw executionDoesNotExist(executionArn);
      let final: ExecutionRecord | undefined;
      if (record.status === "RUNNING" && runner.isRunning(executionArn)) {
        final = await new Promise<ExecutionRecord | undefined>((resolve) =>
          waiters.set(executionArn, [...(waiters.get(executionArn) ?? []), resolve]),
        );
      }
      await runner.wait(executionArn);
      // The final record survives in `final` even when deleting the state machine took it from the store.
      return outcomeOf(store.executions.get(executionArn) ?? final ?? record);
    },
    resumeExecutions(): string[] {
      const resumed: string[] = [];
      for (const record of store.executions.values()) {
        if (record.status !== "RUNNING" || runner.isRunning(record.arn)) continue;
        const point = store.readCheckpoint(record);
        store.truncateHistory(record, point?.nextEventId ?? 1);
        runner.start(record, point);
        resumed.push(record.arn);
      }
      return resumed;
    },
    async close() {
      if (closed) return;
      closed = true;
      await runner.shutdown();
      for (const wakers of waiters.values()) for (const wake of wakers) wake();
      waiters.clear();
      store.flush();
      clients.destroy();
    },
  };
}

function outcomeOf(record: ExecutionRecord): ExecutionOutcome {
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate !== undefined ? { stopDate: new Date(record.stopDate) } : {}),
    input: JSON.parse(record.input) as unknown,
    ...(record.output !== undefined ? { output: JSON.parse(record.output) as unknown } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
  };
}
