import type { Context } from "aws-lambda";
import { parentPort, workerData } from "node:worker_threads";
import type { InvokeMessage, ReplyMessage, SerializedContext, WorkerSetup } from "./worker-messages.ts";

/**
 * One Lambda execution environment in a worker thread: imports the handler module once (its
 * init code runs as in a cold start), then answers invocations posted by `WorkerFunction`.
 */
const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error("worker-runtime.ts runs only as a worker thread");

const module = (await import(setup.module)) as Record<string, unknown>;
const handler = module[setup.exportName];
if (typeof handler !== "function") throw new Error(`${setup.module} exports no function ${setup.exportName}`);

port.on("message", (message: InvokeMessage) => {
  void invoke(message).then((reply) => port.postMessage(reply));
});
port.postMessage({ kind: "ready" } satisfies ReplyMessage);

async function invoke({ id, event, context }: InvokeMessage): Promise<ReplyMessage> {
  try {
    const result: unknown = await (handler as (event: unknown, context: Context) => Promise<unknown>)(event, contextOf(context));
    return { kind: "result", id, result };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { kind: "error", id, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
  }
}

function contextOf(c: SerializedContext): Context {
  return {
    ...c,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, c.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
