import type { Clock, TaskInvocation, TaskInvoker } from "../../interpreter/contract.ts";
import { TaskFailure } from "../../interpreter/contract.ts";
import { UnsupportedResourceError } from "../errors.ts";
import type { TaskTokens } from "../task-tokens.ts";
import { awsSdkCall } from "./aws-sdk.ts";
import { runtimeFailure } from "./failures.ts";
import { lambdaFunction, lambdaInvoke, type LambdaTarget } from "./lambda.ts";
import { eventsPutEvents, snsPublish, statesStartExecution } from "./optimized.ts";
import { parseResource, type Integration } from "./resource.ts";
import type { SdkClients } from "./sdk-clients.ts";

export interface InvokerDeps {
  readonly lambda: LambdaTarget;
  readonly clients: SdkClients;
  readonly tokens: TaskTokens;
  readonly clock: Clock;
  /** Called when a `.waitForTaskToken` task issues its token (the service persists it). */
  readonly onTokenIssued?: (executionArn: string, token: string) => void;
}

/**
 * The service's `TaskInvoker`: runs a Task's integration and, for `.waitForTaskToken`
 * resources, then waits for SendTaskSuccess/Failure on the task's token (with its heartbeat).
 * Anything that is not the integration's own failure becomes a `TaskFailure` the interpreter can
 * route through Retry/Catch; a stop or a state timeout rejects with the signal's reason.
 */
export function createTaskInvoker(deps: InvokerDeps): TaskInvoker {
  return async (invocation: TaskInvocation) => {
    if (invocation.signal.aborted) throw invocation.signal.reason;
    let parsed;
    try {
      parsed = parseResource(invocation.resource);
    } catch (error) {
      if (error instanceof UnsupportedResourceError) throw runtimeFailure(invocation.stateName, error.message);
      throw error;
    }
    const call = () => guarded(invocation, () => callIntegration(deps, parsed.integration, invocation));
    if (!parsed.waitForTaskToken) return call();
    const token = invocation.taskToken;
    if (!token) throw runtimeFailure(invocation.stateName, `${invocation.resource} was started without a task token.`);
    deps.tokens.open(token, invocation.context.Execution.Id);
    deps.onTokenIssued?.(invocation.context.Execution.Id, token);
    try {
      await call();
    } catch (error) {
      deps.tokens.close(token);
      throw error;
    }
    return deps.tokens.wait(token, invocation.signal, deps.clock, invocation.heartbeatSeconds);
  };
}

function callIntegration(deps: InvokerDeps, integration: Integration, invocation: TaskInvocation): Promise<unknown> {
  const { arguments: args, stateName, signal } = invocation;
  switch (integration.kind) {
    case "lambda:invoke":
      return lambdaInvoke(deps.lambda, args, stateName);
    case "lambda:function":
      return lambdaFunction(deps.lambda, integration.functionName, args);
    case "sns:publish":
      return snsPublish(deps.clients, args, stateName, signal);
    case "events:putEvents":
      return eventsPutEvents(deps.clients, args, invocation.context, stateName, signal);
    case "states:startExecution":
      return statesStartExecution(deps.clients, args, stateName, signal);
    case "aws-sdk":
      return awsSdkCall(deps.clients, integration.service, integration.action, args, stateName, signal);
  }
}

/** A stop or timeout wins over whatever the call failed with; a bug becomes `States.Runtime`. */
async function guarded(invocation: TaskInvocation, call: () => Promise<unknown>): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    if (invocation.signal.aborted) throw invocation.signal.reason;
    if (error instanceof TaskFailure) throw error;
    throw runtimeFailure(invocation.stateName, error instanceof Error ? error.message : String(error));
  }
}
