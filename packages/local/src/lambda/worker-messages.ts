/** What crosses between `WorkerFunction` and `worker-runtime.ts` (structured-clone safe). */

export interface WorkerSetup {
  /** A module specifier the worker can import (`@freshet/functions/transformer`). */
  readonly module: string;
  readonly exportName: string;
}

/** A Lambda `Context` without its functions: the worker rebuilds them. */
export interface SerializedContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** `Date.now()` at which the invocation times out. */
  readonly deadline: number;
}

export interface InvokeMessage {
  readonly id: number;
  readonly event: unknown;
  readonly context: SerializedContext;
}

export type ReplyMessage =
  | { readonly kind: "ready" }
  | { readonly kind: "result"; readonly id: number; readonly result: unknown }
  | { readonly kind: "error"; readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };
