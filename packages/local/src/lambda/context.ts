import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export interface LocalFunction {
  readonly name: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
}

/** A Lambda `Context` for an in-process invocation, shaped as the Node.js runtime builds it. */
export function lambdaContext(fn: LocalFunction, region = "us-east-1", accountId = "000000000000"): Context {
  const deadline = Date.now() + fn.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
