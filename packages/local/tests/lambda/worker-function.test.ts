import { threadId } from "node:worker_threads";
import { afterAll, describe, expect, it, vi } from "vitest";
import { lambdaContext } from "../../src/lambda/context.ts";
import { WorkerFunction } from "../../src/lambda/worker-function.ts";

const fixture = new URL("./fixtures/handler.ts", import.meta.url).href;
const fn = { name: "freshet-test-Fn", memoryMb: 128, timeoutMs: 30_000 };
// Set before the worker starts: its environment is a copy of this thread's at that moment.
vi.stubEnv("FRESHET_TEST_LINK", "linked");
const worker = new WorkerFunction<{ action: string }, Record<string, unknown>>({ module: fixture });
afterAll(async () => {
  await worker.close();
  vi.unstubAllEnvs();
});

describe("WorkerFunction (a handler in its own execution environment)", () => {
  it("runs the handler off this thread, with the caller's environment and a working Context", async () => {
    await worker.ready();
    const out = await worker.handler({ action: "ok" }, lambdaContext(fn));
    expect(out.threadId).not.toBe(threadId);
    expect(out).toMatchObject({ functionName: "freshet-test-Fn", link: "linked" });
    expect(out.remainingMs).toBeGreaterThan(25_000);
    expect(out.remainingMs).toBeLessThanOrEqual(30_000);
    // The environment is reused: module state survives between invocations, as in a warm container.
    const again = await worker.handler({ action: "ok" }, lambdaContext(fn));
    expect(again.invocations).toBe(Number(out.invocations) + 1);
  });

  it("rethrows the handler's error with its name and message", async () => {
    const error = await worker.handler({ action: "fail" }, lambdaContext(fn)).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("RefusedError");
    expect((error as Error).message).toBe("the handler refused");
  });

  it("reads each environment's heap from outside: memory the handler keeps shows there, not in the caller's", async () => {
    await worker.ready();
    const [before] = await worker.heapUsed();
    const callerBefore = process.memoryUsage().heapUsed;
    await worker.handler({ action: "hold" }, lambdaContext(fn));
    const [after] = await worker.heapUsed();
    expect(after! - before!).toBeGreaterThan(15 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - callerBefore).toBeLessThan(15 * 1024 * 1024);
  });

  it("gives each environment the V8 heap limits it was started with", async () => {
    const newSpaceAfterChurn = async (maxYoungGenerationSizeMb: number) => {
      const limited = new WorkerFunction<{ action: string }, Record<string, unknown>>({ module: fixture, resourceLimits: { maxYoungGenerationSizeMb } });
      try {
        return (await limited.handler({ action: "churn" }, lambdaContext(fn))).newSpaceBytes as number;
      } finally {
        await limited.close();
      }
    };
    // A young generation is two semi-spaces and a third for large objects: 24 MB holds a new space
    // of 16 MB at most; 192 MB lets the same churn grow it past that, whatever V8's default here.
    expect(await newSpaceAfterChurn(24)).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(await newSpaceAfterChurn(192)).toBeGreaterThan(16 * 1024 * 1024);
  });

  it("fails the invocations of a crashed environment and replaces it (a cold start)", async () => {
    const error = await worker.handler({ action: "crash" }, lambdaContext(fn)).catch((e: unknown) => e as Error);
    expect((error as Error).name).toBe("LambdaWorkerError");
    await worker.ready();
    const out = await worker.handler({ action: "ok" }, lambdaContext(fn));
    expect(out.invocations).toBe(1);
  });
});
