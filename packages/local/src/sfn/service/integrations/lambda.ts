import { FreshetError } from "@freshet/core";
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { lambdaContext } from "../../../lambda/context.ts";
import { TaskFailure } from "../../interpreter/contract.ts";
import { runtimeFailure } from "./failures.ts";
import { sdkMetadata } from "./sdk-metadata.ts";

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** A local function: the deployed handler, with the settings Lambda would give it. */
export interface LocalLambdaFunction {
  readonly handler: LambdaHandler;
  /** Enforced like Lambda's timeout (`Sandbox.Timedout`) when set. */
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
}

/** Functions `lambda:invoke` can call, by function name. */
export type LambdaRegistry = Readonly<Record<string, LambdaHandler | LocalLambdaFunction>>;

export interface LambdaTarget {
  readonly registry: LambdaRegistry;
  readonly region: string;
  readonly accountId: string;
}

const INVOKE_FIELDS = new Set(["FunctionName", "Payload", "InvocationType", "Qualifier", "ClientContext", "LogType"]);
const FUNCTION_NAME = /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:)?(?:function:)?([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$/;

/**
 * `arn:aws:states:::lambda:invoke`: calls the local handler named by `FunctionName` (a name,
 * partial or full ARN, with or without qualifier) and answers as Step Functions does:
 * `{ ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode }`.
 */
export async function lambdaInvoke(target: LambdaTarget, args: unknown, stateName: string): Promise<unknown> {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw runtimeFailure(stateName, "The arguments of lambda:invoke must be an object with FunctionName.");
  }
  const fields = args as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!INVOKE_FIELDS.has(key)) throw runtimeFailure(stateName, `The field '${key}' is not supported by Step Functions for lambda:invoke.`);
  }
  if (typeof fields.FunctionName !== "string") throw runtimeFailure(stateName, "lambda:invoke needs a FunctionName string.");
  const name = functionNameOf(target, fields.FunctionName);
  const fn = resolve(target, name);
  const requestId = randomUUID();
  const type = fields.InvocationType ?? "RequestResponse";
  if (type === "DryRun") return { Payload: "", StatusCode: 204, ...invokeMetadata(requestId, 204, 0) };
  if (type === "Event") {
    // Asynchronous invocation: Lambda queues the event and answers 202 before the function runs.
    void run(target, name, fn, fields.Payload ?? {}, requestId).catch(() => undefined);
    return { Payload: "", StatusCode: 202, ...invokeMetadata(requestId, 202, 0) };
  }
  const payload = await run(target, name, fn, fields.Payload ?? {}, requestId);
  return {
    ExecutedVersion: "$LATEST",
    Payload: payload,
    ...invokeMetadata(requestId, 200, JSON.stringify(payload ?? null).length),
    StatusCode: 200,
  };
}

/** The older resource form, the function's ARN: the Task result is the function's payload itself. */
export async function lambdaFunction(target: LambdaTarget, functionName: string, args: unknown): Promise<unknown> {
  const fn = resolve(target, functionName);
  return run(target, functionName, fn, args ?? {}, randomUUID());
}

function functionNameOf(target: LambdaTarget, value: string): string {
  const match = FUNCTION_NAME.exec(value);
  if (!match) throw resourceNotFound(target, value);
  return match[1]!;
}

function resolve(target: LambdaTarget, name: string): LocalLambdaFunction {
  const entry = Object.hasOwn(target.registry, name) ? target.registry[name] : undefined;
  if (!entry) throw resourceNotFound(target, name);
  return typeof entry === "function" ? { handler: entry } : entry;
}

function resourceNotFound(target: LambdaTarget, name: string): TaskFailure {
  const arn = `arn:aws:lambda:${target.region}:${target.accountId}:function:${name}`;
  return new TaskFailure(
    "Lambda.ResourceNotFoundException",
    `Function not found: ${arn} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

/**
 * Runs a handler as Lambda would: a fresh copy of the event (the function cannot touch the
 * execution's data), the result as JSON, a thrown error as the runtime reports it — the error
 * name is its `errorType`, the cause the `{errorType, errorMessage, trace}` payload.
 */
async function run(target: LambdaTarget, name: string, fn: LocalLambdaFunction, payload: unknown, requestId: string): Promise<unknown> {
  const timeoutMs = (fn.timeoutSeconds ?? 900) * 1000;
  const context = {
    ...lambdaContext({ name, memoryMb: fn.memoryMb ?? 128, timeoutMs }, target.region, target.accountId),
    awsRequestId: requestId,
  };
  const event: unknown = JSON.parse(JSON.stringify(payload));
  let timer: NodeJS.Timeout | undefined;
  try {
    const invocation = fn.handler(event, context);
    const result =
      fn.timeoutSeconds === undefined
        ? await invocation
        : await Promise.race([
            invocation,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new SandboxTimeout(requestId, fn.timeoutSeconds!)), timeoutMs);
            }),
          ]);
    return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
  } catch (error) {
    if (error instanceof SandboxTimeout) {
      throw new TaskFailure("Sandbox.Timedout", JSON.stringify({ errorMessage: error.message }), { cause: error });
    }
    const errorType = error instanceof Error && error.name ? error.name : "Error";
    const errorMessage = error instanceof Error ? error.message : String(error);
    const trace = error instanceof Error && error.stack ? error.stack.split("\n") : [];
    throw new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }), { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** The handler outlived its timeout; becomes Lambda's `Sandbox.Timedout` above. */
class SandboxTimeout extends FreshetError {
  override readonly name = "SandboxTimeout";
  constructor(requestId: string, seconds: number) {
    super(`RequestId: ${requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds`);
  }
}

function invokeMetadata(requestId: string, status: number, length: number) {
  return sdkMetadata(
    {
      "content-length": String(length),
      "content-type": "application/json",
      date: new Date().toUTCString(),
      "x-amz-executed-version": "$LATEST",
      "x-amzn-requestid": requestId,
    },
    status,
    requestId,
  );
}
