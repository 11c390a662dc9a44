import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import type { HttpHandler } from "../api/http-api.ts";
import { WorkerFunction } from "../lambda/worker-function.ts";

export type TransformerHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
export interface EnvironmentHeap {
  /** The function and the environment's number: `transformer 1`, `ingest 1`. */
  readonly name: string;
  readonly heapUsedBytes: number;
}

export interface EnvironmentCpu {
  /** As in `EnvironmentHeap`. */
  readonly name: string;
  /** CPU time of the environment's thread since it started, µs. */
  readonly cpuMicros: number;
}

export type MigrateHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The deployed handlers of `packages/functions`, as the local platform runs them. */
export interface LocalHandlers {
  readonly transformer: TransformerHandler;
  readonly ingest: HttpHandler;
  /** The metrics API's one function (its three routes). */
  readonly metricsApi: HttpHandler;
  readonly planner: unknown;
  readonly migrate: MigrateHandler;
  /** DeadLetterTriage's function and the debounce the dead-letter rule invokes. */
  readonly triage: unknown;
  readonly triageDebounce: unknown;
  /** AnomalyScoring's function (prepare, decide). */
  readonly anomalyDecider: unknown;
  /** V8 heap used by each execution environment (worker thread), by function; none when they run on the main thread. */
  environmentHeaps(): Promise<EnvironmentHeap[]>;
  /** CPU used by each function's execution environment (worker thread); none when they run on the main thread. */
  environmentCpu(): Promise<EnvironmentCpu[]>;
  /** Ends the worker threads (execution environments), if any. */
  close(): Promise<void>;
}

/**
 * Loads the handlers. Call only once their environment (links, endpoint) is set: handlers read
 * their configuration and links at module load. The transformer, the ingest function, the load
 * planner and the two triage functions run in their own execution environments (worker
 * threads), as in Lambda: under load they then have a core of their own instead of sharing the
 * endpoint's; with `environments: 0` they run on the main thread, where a test can reach their
 * state.
 */
export async function loadHandlers(environments: number): Promise<LocalHandlers> {
  const transformerWorkers =
    // Not with the deployed heap flags (core's transformerHeap): unlike a Lambda container, this
    // environment runs several batches at once, and their live objects outgrow 1 MiB semi-spaces.
    // Given them as resource limits, the pipeline bench loaded 10–15 % fewer events a second
    // (5,090–5,313 against 5,631–6,118). The flags' own measurement is the transformer bench's.
    environments > 0 ? new WorkerFunction<KinesisStreamEvent, KinesisStreamBatchResponse>({ module: "@freshet/functions/transformer", environments }) : undefined;
  await transformerWorkers?.ready();
  // The ingest function too: under load, parsing and forwarding batches is the busiest code.
  const ingestWorkers =
    environments > 0 ? new WorkerFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ module: "@freshet/functions/ingest" }) : undefined;
  await ingestWorkers?.ready();
  const transformer = transformerWorkers?.handler ?? ((await import("@freshet/functions/transformer")) as { handler: TransformerHandler }).handler;
  const ingest = ingestWorkers?.handler ?? ((await import("@freshet/functions/ingest")) as { handler: HttpHandler }).handler;
  // The functions the workflows call every few seconds under load, in an environment of their
  // own too: their S3 and Data API clients (signing, XML listings of a few hours of receipts or
  // a day of dead letters) otherwise ran on the main thread, which every embedded service shares
  // and which a 10,000 events/s run keeps busy while the other core idles.
  const controlWorkers =
    environments > 0
      ? {
          planner: new WorkerFunction<unknown, unknown>({ module: "@freshet/functions/load-planner" }),
          triage: new WorkerFunction<unknown, unknown>({ module: "@freshet/functions/dead-letter-triage" }),
          triageDebounce: new WorkerFunction<unknown, unknown>({ module: "@freshet/functions/triage-debounce" }),
        }
      : undefined;
  await Promise.all(Object.values(controlWorkers ?? {}).map((w) => w.ready()));
  // On the main thread: it only waits on the Data API, whose engine runs here too.
  const { handler: metricsApi } = (await import("@freshet/functions/metrics-api")) as { handler: HttpHandler };
  const planner = controlWorkers?.planner.handler ?? ((await import("@freshet/functions/load-planner")) as { handler: unknown }).handler;
  const { handler: migrate } = (await import("@freshet/functions/migrate")) as { handler: MigrateHandler };
  const triage = controlWorkers?.triage.handler ?? ((await import("@freshet/functions/dead-letter-triage")) as { handler: unknown }).handler;
  const triageDebounce = controlWorkers?.triageDebounce.handler ?? ((await import("@freshet/functions/triage-debounce")) as { handler: unknown }).handler;
  const { handler: anomalyDecider } = (await import("@freshet/functions/anomaly-decider")) as { handler: unknown };
  return {
    transformer,
    ingest,
    metricsApi,
    planner,
    migrate,
    triage,
    triageDebounce,
    anomalyDecider,
    async environmentHeaps() {
      const named = async (fn: string, workers: { heapUsed(): Promise<number[]> } | undefined) =>
        ((await workers?.heapUsed()) ?? []).map((heapUsedBytes, i) => ({ name: `${fn} ${i + 1}`, heapUsedBytes }));
      return [
        ...(await named("transformer", transformerWorkers)),
        ...(await named("ingest", ingestWorkers)),
        ...(controlWorkers ? [...(await named("planner", controlWorkers.planner)), ...(await named("triage", controlWorkers.triage)), ...(await named("triage-debounce", controlWorkers.triageDebounce))] : []),
      ];
    },
    async environmentCpu() {
      const named = async (fn: string, workers: { cpuUsage(): Promise<NodeJS.CpuUsage[]> } | undefined) =>
        ((await workers?.cpuUsage()) ?? []).map((usage, i) => ({ name: `${fn} ${i + 1}`, cpuMicros: usage.user + usage.system }));
      return [
        ...(await named("transformer", transformerWorkers)),
        ...(await named("ingest", ingestWorkers)),
        ...(controlWorkers ? [...(await named("planner", controlWorkers.planner)), ...(await named("triage", controlWorkers.triage)), ...(await named("triage-debounce", controlWorkers.triageDebounce))] : []),
      ];
    },
    async close() {
      await transformerWorkers?.close();
      await ingestWorkers?.close();
      await Promise.all(Object.values(controlWorkers ?? {}).map((w) => w.close()));
    },
  };
}
