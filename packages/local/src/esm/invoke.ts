import { randomBytes, randomUUID } from "node:crypto";
import type { Context, KinesisStreamEvent } from "aws-lambda";
import { FunctionTimeoutError } from "./errors.ts";
import type { KinesisBatchHandler } from "./types.ts";

export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
}

export type InvocationResult =
  | { readonly requestId: string; readonly ok: true; readonly response: unknown }
  /** A thrown error or a timeout: Lambda's `FunctionError: Unhandled`. */
  | { readonly requestId: string; readonly ok: false; readonly error: unknown };

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

/**
 * Invokes the handler as Lambda's Node.js runtime does for a synchronous call: a fresh request
 * id and `Context`, the result awaited up to the function timeout. The legacy `context.succeed`,
 * `fail` and `done` settle the invocation too. A timed-out handler cannot be stopped in-process;
 * its late result is ignored, as Lambda ignores a sandbox it has shut down.
 */
export async function invokeFunction(
  fn: LocalFunction,
  handler: KinesisBatchHandler,
  event: KinesisStreamEvent,
): Promise<InvocationResult> {
  const requestId = randomUUID();
  const deadline = Date.now() + fn.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let settle!: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
  const legacy = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
  const context: Context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: "$LATEST",
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: logStreamName(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error?: Error, result?: unknown) => (error ? settle.reject(error) : settle.resolve(result)),
    fail: (error: Error | string) => settle.reject(typeof error === "string" ? new Error(error) : error),
    succeed: (result: unknown) => settle.resolve(result),
  };
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FunctionTimeoutError(`Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`)),
      fn.timeoutMs,
    );
  });
  try {
    const running = Promise.resolve().then(() => handler(event, context));
    const response = await Promise.race([running, legacy, timeout]);
    return { requestId, ok: true, response };
  } catch (error) {
    return { requestId, ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}
