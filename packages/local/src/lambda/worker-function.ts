import type { Context } from "aws-lambda";
import { SHARE_ENV, Worker, type ResourceLimits } from "node:worker_threads";
import { LambdaWorkerError } from "./errors.ts";
import type { InvokeMessage, ReplyMessage, SerializedContext, WorkerSetup } from "./worker-messages.ts";

const RUNTIME = new URL("./worker-runtime.ts", import.meta.url);

export interface WorkerFunctionOptions {
  /** Module specifier of the handler, resolvable from this package (`@freshet/functions/transformer`). */
  readonly module: string;
  readonly exportName?: string;
  /** Execution environments (worker threads); invocations go to the least busy. Default 1. */
  readonly environments?: number;
  /** V8 heap limits of each environment (worker thread); V8's defaults for this machine when absent. */
  readonly resourceLimits?: ResourceLimits;
}

/**
 * A deployed handler run in worker threads, as Lambda runs a function in execution environments
 * apart from its caller: the local platform's other services keep the main thread, and a busy
 * function uses another core. The handler sees the same `process.env` (links, endpoint) and gets
 * a rebuilt `Context`; an error it throws is rethrown to the caller with its name and message.
 */
export class WorkerFunction<E, R> {
  readonly #setup: WorkerSetup;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #environments: Environment[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: WorkerFunctionOptions) {
    this.#setup = { module: options.module, exportName: options.exportName ?? "handler" };
    this.#resourceLimits = options.resourceLimits;
    for (let i = 0; i < (options.environments ?? 1); i++) this.#environments.push(this.#start());
  }

  /** Resolves once every environment has imported the handler (a cold start), or rejects why not. */
  async ready(): Promise<void> {
    await Promise.all(this.#environments.map((e) => e.ready));
  }

  /** The handler as the callers of an in-process one call it. */
  readonly handler = (event: E, context: Context): Promise<R> => {
    if (this.#closed) return Promise.reject(new LambdaWorkerError(`${this.#setup.module}: the function's environments are closed`));
    const env = this.#environments.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.#nextId++;
    const message: InvokeMessage = { id, event, context: serialize(context) };
    return new Promise<R>((resolve, reject) => {
      env.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      env.worker.postMessage(message);
    });
  };

  /**
   * Bytes of V8 heap each running environment uses (`used_heap_size`, read from outside the
   * thread): threads share the process's RSS, so this is what tells one environment's memory
   * apart. An environment that stopped meanwhile is left out, and all of them on a Node without
   * `worker.getHeapStatistics()` (added in 24).
   */
  async heapUsed(): Promise<number[]> {
    const used = await Promise.all(
      this.#environments.map((e) =>
        typeof e.worker.getHeapStatistics === "function" ? e.worker.getHeapStatistics().then((h) => h.used_heap_size, () => undefined) : undefined,
      ),
    );
    return used.filter((bytes) => bytes !== undefined);
  }

  /**
   * CPU time each running environment's thread has used since it started (`worker.cpuUsage()`,
   * Node 24): what one invocation costs the function, apart from the platform's threads. Left out
   * as in `heapUsed`.
   */
  async cpuUsage(): Promise<NodeJS.CpuUsage[]> {
    const used = await Promise.all(
      this.#environments.map((e) => (typeof e.worker.cpuUsage === "function" ? e.worker.cpuUsage().then((u) => u, () => undefined) : undefined)),
    );
    return used.filter((usage) => usage !== undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#environments.map((e) => e.worker.terminate()));
  }

  #start(): Environment {
    const worker = new Worker(RUNTIME, { workerData: this.#setup, env: SHARE_ENV, resourceLimits: this.#resourceLimits });
    const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => undefined);
    const env: Environment = { worker, pending, ready };
    worker.on("message", (reply: ReplyMessage) => {
      if (reply.kind === "ready") return markReady();
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if (reply.kind === "result") call.resolve(reply.result);
      else call.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }));
    });
    const crashed = (cause: unknown) => {
      const error = new LambdaWorkerError(`${this.#setup.module}: the execution environment stopped`, { cause });
      failReady(error);
      for (const call of pending.values()) call.reject(error);
      pending.clear();
      // Lambda replaces a crashed environment: so does this, unless the function is closing.
      const index = this.#environments.indexOf(env);
      if (!this.#closed && index !== -1) this.#environments[index] = this.#start();
    };
    worker.on("error", crashed);
    worker.on("exit", (code) => {
      if (!this.#closed) crashed(new Error(`worker exited with code ${code}`));
    });
    return env;
  }
}

interface Environment {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  readonly ready: Promise<void>;
}

function serialize(c: Context): SerializedContext {
  return {
    functionName: c.functionName,
    functionVersion: c.functionVersion,
    invokedFunctionArn: c.invokedFunctionArn,
    memoryLimitInMB: c.memoryLimitInMB,
    awsRequestId: c.awsRequestId,
    logGroupName: c.logGroupName,
    logStreamName: c.logStreamName,
    deadline: Date.now() + c.getRemainingTimeInMillis(),
  };
}
