import type { Context } from "aws-lambda";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { randomUUID } from "node:crypto";
import { lambdaContext } from "../lambda/context.ts";
import { DeliveryError } from "./errors.ts";
import type { EventEnvelope } from "./event-envelope.ts";

/** A function in the local registry: the same handler Lambda would run. */
export type LocalLambdaHandler = (event: unknown, context: Context) => unknown;

/**
 * The local function registry: a lookup by function name, or the same record the Step Functions
 * service takes (`name → handler` or `name → { handler }`).
 */
export type LocalFunctions =
  | ((name: string) => LocalLambdaHandler | undefined)
  | Readonly<Record<string, LocalLambdaHandler | { readonly handler: LocalLambdaHandler }>>;

export function lookupFunction(functions: LocalFunctions | undefined, name: string): LocalLambdaHandler | undefined {
  if (functions === undefined) return undefined;
  if (typeof functions === "function") return functions(name);
  if (!Object.hasOwn(functions, name)) return undefined;
  const entry = functions[name]!;
  return typeof entry === "function" ? entry : entry.handler;
}

/** One call to a target. */
export interface TargetCall {
  readonly arn: string;
  readonly roleArn?: string;
  /** The text the target receives (the event, a constant Input, a transformed input…). */
  readonly input: string;
  /** For event-bus targets: the event to forward. */
  readonly event?: EventEnvelope;
}

export interface TargetClients {
  readonly endpointUrl: () => string;
  readonly region: string;
  readonly accountId: string;
  readonly functions?: LocalFunctions;
}

const credentials = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * Calls a target by the kind its ARN names, through the SDK client of that service pointed at
 * the endpoint (the path AWS takes), or the local function registry for Lambda.
 */
export function createTargetInvoker(options: TargetClients) {
  const clients = new Map<string, { sfn: SFNClient; sns: SNSClient; events: EventBridgeClient }>();
  const clientsFor = () => {
    const url = options.endpointUrl();
    let set = clients.get(url);
    if (!set) {
      const config = { endpoint: url, region: options.region, credentials, maxAttempts: 1 };
      set = { sfn: new SFNClient(config), sns: new SNSClient(config), events: new EventBridgeClient(config) };
      clients.set(url, set);
    }
    return set;
  };

  return {
    async invoke(call: TargetCall): Promise<void> {
      const [, , service, , , resource = ""] = call.arn.split(":");
      try {
        if (service === "states" && resource === "stateMachine") {
          await clientsFor().sfn.send(new StartExecutionCommand({ stateMachineArn: call.arn, input: call.input, name: randomUUID() }));
        } else if (service === "sns") {
          await clientsFor().sns.send(new PublishCommand({ TopicArn: call.arn, Message: call.input }));
        } else if (service === "events" && resource.startsWith("event-bus/")) {
          const e = call.event ?? (JSON.parse(call.input) as EventEnvelope);
          const result = await clientsFor().events.send(
            new PutEventsCommand({
              Entries: [
                {
                  EventBusName: call.arn,
                  Source: e.source,
                  DetailType: e["detail-type"],
                  Detail: JSON.stringify(e.detail ?? {}),
                  Resources: [...(e.resources ?? [])],
                  Time: new Date(e.time),
                },
              ],
            }),
          );
          const failure = result.Entries?.[0];
          if (failure?.ErrorCode) throw new DeliveryError(`${failure.ErrorCode}: ${failure.ErrorMessage}`, { retryable: false });
        } else if (service === "lambda" && resource === "function") {
          await invokeLocalFunction(options, call);
        } else {
          throw new DeliveryError(`targets of this kind are not delivered locally: ${call.arn}`, { retryable: false });
        }
      } catch (error) {
        throw asDeliveryError(error);
      }
    },
    close(): void {
      for (const set of clients.values()) {
        set.sfn.destroy();
        set.sns.destroy();
        set.events.destroy();
      }
      clients.clear();
    },
  };
}

async function invokeLocalFunction(options: TargetClients, call: TargetCall): Promise<void> {
  const name = call.arn.split(":")[6]!;
  const handler = lookupFunction(options.functions, name);
  if (!handler) throw new DeliveryError(`no local function named ${name}`, { retryable: false });
  const context = lambdaContext({ name, memoryMb: 128, timeoutMs: 900_000 }, options.region, options.accountId);
  try {
    await handler(JSON.parse(call.input), context);
  } catch (error) {
    // Lambda retries a failed asynchronous invocation; so does the local engine.
    throw new DeliveryError(`function ${name} failed: ${error instanceof Error ? error.message : String(error)}`, { retryable: true, cause: error });
  }
}

/** SDK client errors (4xx: missing resource, bad input) are final; throttling, 5xx and network errors are retried. */
function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const throttled = status === 429 || /Throttl|TooManyRequests/.test(e.name ?? "");
  const retryable = throttled || e.$fault === "server" || status === undefined || status >= 500;
  return new DeliveryError(`${e.name ?? "Error"}: ${e.message ?? String(error)}`, { retryable, cause: error });
}
