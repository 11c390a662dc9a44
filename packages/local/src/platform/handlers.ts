import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import type { ResourceLimits } from "node:worker_threads";
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

/** What the reports and the shutdown need of a `WorkerFunction`, whatever its event and result. */
type ExecutionEnvironments = Pick<WorkerFunction<never, unknown>, "ready" | "heapUsed" | "cpuUsage" | "close">;

/**
 * Each execution environment's young generation: 48 MB (16 MB semi-spaces). On a machine with
 * gigabytes to spare V8 lets a worker's semi-spaces grow to 64 MB: under load, three of these
 * environments held 128 MB of new space each, most of it garbage. Capped, `loadtest` peaked
 * 150–300 MB lower at the same rate, with no change in CPU per event.
 */
const ENVIRONMENT_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 48 };

/**
 * Loads the handlers. Call only once their environment (links, endpoint) is set: handlers read
 * their configuration and links at module load. The transformer, the ingest function, the load
 * planner and the two triage functions run in their own execution environments (worker
 * threads), as in Lambda: under load they then have a core of their own instead of sharing the
 * endpoint's; with `environments: 0` they run on the main thread, where a test can reach their
 * state.
 */
export async function loadHandlers(environments: number): Promise<LocalHandlers> {
  const inWorkers = environments > 0;
  /** A function's execution environments (worker threads), all with ENVIRONMENT_LIMITS; none when handlers run on this thread. */
  const inEnvironments = <E = unknown, R = unknown>(module: string, count = 1) =>
    inWorkers ? new WorkerFunction<E, R>({ module, environments: count, resourceLimits: ENVIRONMENT_LIMITS }) : undefined;
  // Not with the deployed heap flags (core's transformerHeap): unlike a Lambda container, this
  // environment runs several batches at once, and their live objects outgrow 1 MiB semi-spaces.
  // Given them as resource limits, the pipeline bench loaded 10–15 % fewer events a second
  // (5,090–5,313 against 5,631–6,118). The flags' own measurement is the transformer bench's.
  const transformerWorkers = inEnvironments<KinesisStreamEvent, KinesisStreamBatchResponse>("@freshet/functions/transformer", environments);
  // The ingest function too: under load, parsing and forwarding batches is the busiest code.
  const ingestWorkers = inEnvironments<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>("@freshet/functions/ingest");
  // And the functions the workflows call every few seconds under load: their S3 and Data API
  // clients (signing, XML listings of a few hours of receipts or a day of dead letters) otherwise
  // ran on the main thread, which every embedded service shares and which a 10,000 events/s run
  // keeps busy while the other core idles.
  const plannerWorkers = inEnvironments("@freshet/functions/load-planner");
  const triageWorkers = inEnvironments("@freshet/functions/dead-letter-triage");
  const debounceWorkers = inEnvironments("@freshet/functions/triage-debounce");
  /** Every function with environments of its own, by the name the heap and CPU reports give it. */
  const named: [string, ExecutionEnvironments | undefined][] = [
    ["transformer", transformerWorkers],
    ["ingest", ingestWorkers],
    ["planner", plannerWorkers],
    ["triage", triageWorkers],
    ["triage-debounce", debounceWorkers],
  ];
  const workers = named.flatMap(([fn, w]) => (w ? [[fn, w] as const] : []));
  // Their cold starts run side by side.
  await Promise.all(workers.map(([, w]) => w.ready()));
  const handlerOf = async <H>(module: Promise<unknown>): Promise<H> => ((await module) as { handler: H }).handler;
  const transformer = transformerWorkers?.handler ?? (await handlerOf<TransformerHandler>(import("@freshet/functions/transformer")));
  const ingest = ingestWorkers?.handler ?? (await handlerOf<HttpHandler>(import("@freshet/functions/ingest")));
  // On the main thread: it only waits on the Data API, whose engine runs here too.
  const metricsApi = await handlerOf<HttpHandler>(import("@freshet/functions/metrics-api"));
  const planner = plannerWorkers?.handler ?? (await handlerOf<unknown>(import("@freshet/functions/load-planner")));
  const migrate = await handlerOf<MigrateHandler>(import("@freshet/functions/migrate"));
  const triage = triageWorkers?.handler ?? (await handlerOf<unknown>(import("@freshet/functions/dead-letter-triage")));
  const triageDebounce = debounceWorkers?.handler ?? (await handlerOf<unknown>(import("@freshet/functions/triage-debounce")));
  const anomalyDecider = await handlerOf<unknown>(import("@freshet/functions/anomaly-decider"));
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
      const heaps = await Promise.all(workers.map(async ([fn, w]) => (await w.heapUsed()).map((heapUsedBytes, i) => ({ name: `${fn} ${i + 1}`, heapUsedBytes }))));
      return heaps.flat();
    },
    async environmentCpu() {
      const cpu = await Promise.all(workers.map(async ([fn, w]) => (await w.cpuUsage()).map((usage, i) => ({ name: `${fn} ${i + 1}`, cpuMicros: usage.user + usage.system }))));
      return cpu.flat();
    },
    async close() {
      await Promise.all(workers.map(([, w]) => w.close()));
    },
  };
}
