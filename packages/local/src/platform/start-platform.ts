import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ResourceInUseException } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { INGEST_FUNCTION, TRANSFORMER_EVENT_SOURCE, TRANSFORMER_FUNCTION } from "@freshet/core";
import type { APIGatewayProxyStructuredResultV2, KinesisStreamBatchResponse, KinesisStreamEvent, Context } from "aws-lambda";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startHttpApi, type HttpHandler, type RunningHttpApi } from "../api/http-api.ts";
import { lambdaContext } from "../lambda/context.ts";
import { WorkerFunction } from "../lambda/worker-function.ts";
import { startEndpoint, type RunningEndpoint } from "../endpoint/server.ts";
import { startEventSourceMapping, type EventSourceMapping } from "../esm/index.ts";
import type { DeliveryLogEntry } from "../eventbridge/index.ts";
import { deployWorkflows, localWorkflowResources, type DeployResult, type ScheduleOverride } from "../deploy/index.ts";
import { loadApiKey } from "./api-key.ts";
import { createLocalServices, LOCAL_ACCOUNT, type LocalFaults, type LocalServices } from "./local-services.ts";
import { orchestrationClients, provisionOrchestration } from "./provision.ts";
import { endpointEnvironment, linkEnvironment, LOCAL_RESOURCES } from "./links.ts";
import { ReceiptCounter, type PipelineCounts } from "./receipt-counter.ts";
import { writeRuntimeFile, type RuntimeInfo } from "./runtime-file.ts";

export interface PlatformOptions {
  /** Where every service keeps its state (`FRESHET_DATA_DIR`, default `.freshet/`). */
  readonly dataDir: string;
  /** Port of the ingest API; the AWS endpoint listens on the next one. 0 picks free ports. */
  readonly port?: number;
  /** The local mapping's batching window; AWS's setting is kept unless overridden (tests use 0). */
  readonly batchingWindowSeconds?: number;
  /** Log level of the handlers' Powertools logger (default ERROR, to keep the console readable). */
  readonly logLevel?: string;
  /**
   * Wraps the transformer as the mapping invokes it: where tests inject what Lambda does to a
   * function (a crash after its writes, a timeout) without touching the handler.
   */
  readonly wrapTransformer?: (handler: TransformerHandler) => TransformerHandler;
  /**
   * Worker threads the transformer runs in (its execution environments; default 1; the ingest
   * function gets one too). 0 runs both on the main thread, where a test can reach their state.
   */
  readonly transformerEnvironments?: number;
  /** Replaces workflow schedule expressions locally (e.g. `rate(1 minute)` for demos). */
  readonly scheduleOverride?: ScheduleOverride;
  /** Each delivery of an EventBridge rule or schedule (what `npm start` shows). */
  readonly onDelivery?: (entry: DeliveryLogEntry) => void;
  /** Lines the local services log (SNS `log` subscriptions, …). */
  readonly log?: (line: string) => void;
  /**
   * Test-only: faults injected into the services, to reach paths that otherwise depend on timing
   * (a Redshift statement provably mid-flight when the platform stops). None by default.
   */
  readonly faults?: LocalFaults;
}

type MigrateHandler = (event: unknown, context: Context) => Promise<unknown>;

export type TransformerHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

export interface Platform extends RuntimeInfo {
  readonly dataDir: string;
  readonly mapping: EventSourceMapping;
  readonly services: LocalServices;
  /** The workflows deployed on start, with their state machine ARNs. */
  readonly workflows: DeployResult;
  /** Events accepted by the ingest route since start. */
  accepted(): number;
  /** Totals from the batch receipts in the lake (survive restarts). */
  counts(): PipelineCounts;
  /** Resolves when every record in the stream has been through the transformer. */
  waitForIdle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Freshet's streaming half on one machine: the embedded endpoint (Kinesis, S3), the stream and
 * the lake bucket, the transformer fed by a local event source mapping with the settings AWS
 * uses, and the ingest route. Handlers are the deployed ones, given their SST links as
 * `SST_RESOURCE_*` variables and the endpoint as `AWS_ENDPOINT_URL`.
 * One platform per process: `Resource` reads the links once.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const apiKey = await loadApiKey(dataDir);
  let counter: ReceiptCounter | undefined;
  const pendingReceipts = new Set<Promise<void>>();

  const functions: Record<string, unknown> = {}; // filled once the handlers are imported
  let endpoint: RunningEndpoint | undefined;
  const services = createLocalServices({
    dataDir,
    endpointUrl: () => (endpoint as RunningEndpoint).url,
    functions: functions as never,
    onObjectCreated: (_bucket, key) => {
      if (!counter || !key.startsWith("receipts/")) return;
      const p = counter.add(key).catch(() => undefined).finally(() => pendingReceipts.delete(p));
      pendingReceipts.add(p);
    },
    ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  endpoint = await startEndpoint({ port: options.port ? options.port + 1 : 0, services: services.list });
  const resources = localWorkflowResources(LOCAL_ACCOUNT);

  Object.assign(process.env, endpointEnvironment(endpoint.url), linkEnvironment(apiKey, resources), {
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.FRESHET_LOG_LEVEL ?? "ERROR",
  });
  const kinesis = new KinesisClient({});
  const s3 = new S3Client({});
  await provision(kinesis, s3);
  counter = new ReceiptCounter(s3, LOCAL_RESOURCES.bucketName);
  await counter.load();

  // Imported only now: handlers read their configuration and links at module load. The
  // transformer runs in its own execution environments (worker threads), as in Lambda: under
  // load it then has a core of its own instead of sharing the endpoint's.
  const environments = options.transformerEnvironments ?? 1;
  const transformerWorkers =
    environments > 0 ? new WorkerFunction<KinesisStreamEvent, KinesisStreamBatchResponse>({ module: "@freshet/functions/transformer", environments }) : undefined;
  await transformerWorkers?.ready();
  const deployed = transformerWorkers
    ? transformerWorkers.handler
    : ((await import("@freshet/functions/transformer")) as { handler: TransformerHandler }).handler;
  const transformer = options.wrapTransformer ? options.wrapTransformer(deployed) : deployed;
  // The ingest function too: under load, parsing and forwarding batches is the busiest code.
  const ingestWorkers = environments > 0 ? new WorkerFunction<Parameters<HttpHandler>[0], Awaited<ReturnType<HttpHandler>>>({ module: "@freshet/functions/ingest" }) : undefined;
  await ingestWorkers?.ready();
  const ingest: HttpHandler = ingestWorkers ? ingestWorkers.handler : ((await import("@freshet/functions/ingest")) as { handler: HttpHandler }).handler;
  const { handler: planner } = (await import("@freshet/functions/load-planner")) as { handler: unknown };
  const { handler: migrate } = (await import("@freshet/functions/migrate")) as { handler: MigrateHandler };
  Object.assign(functions, {
    "freshet-local-Ingest": ingest,
    "freshet-local-Transformer": deployed,
    [resources.loadPlannerFunctionName]: planner,
    "freshet-local-Migrate": migrate,
  });
  // What the deploy-time invocation does in AWS: bring the warehouse schema up to date.
  await migrate({}, lambdaContext({ name: "freshet-local-Migrate", memoryMb: 256, timeoutMs: 300_000 }));

  // What `sst deploy` creates for the workflows, through the same APIs, then resume executions
  // a previous run left in flight (they may call the endpoint, so only now).
  await provisionOrchestration(resources);
  const clients = orchestrationClients();
  const workflows = await deployWorkflows({
    ...clients,
    resources,
    ...(options.scheduleOverride ? { scheduleOverride: options.scheduleOverride } : {}),
  }).finally(() => Object.values(clients).forEach((c) => c.destroy()));
  services.stepFunctions.resumeExecutions();

  const failuresDir = join(dataDir, "esm", "on-failure");
  const mapping = startEventSourceMapping({
    kinesis,
    streamName: LOCAL_RESOURCES.streamName,
    functionName: "freshet-local-Transformer",
    handler: transformer,
    batchSize: TRANSFORMER_EVENT_SOURCE.batchSize,
    maximumBatchingWindowInSeconds: options.batchingWindowSeconds ?? TRANSFORMER_EVENT_SOURCE.maximumBatchingWindowInSeconds,
    bisectBatchOnFunctionError: TRANSFORMER_EVENT_SOURCE.bisectBatchOnFunctionError,
    parallelizationFactor: TRANSFORMER_EVENT_SOURCE.parallelizationFactor,
    maximumRetryAttempts: TRANSFORMER_EVENT_SOURCE.maximumRetryAttempts,
    maximumRecordAgeInSeconds: TRANSFORMER_EVENT_SOURCE.maximumRecordAgeInSeconds,
    functionResponseTypes: [...TRANSFORMER_EVENT_SOURCE.functionResponseTypes],
    startingPosition: TRANSFORMER_EVENT_SOURCE.startingPosition,
    functionTimeoutMs: TRANSFORMER_FUNCTION.timeoutSeconds * 1000,
    checkpointFile: join(dataDir, "esm", "transformer-checkpoints.json"),
    // The on-failure destination (an SQS queue in AWS): one file per batch given up on.
    onFailure: async (record) => {
      await mkdir(failuresDir, { recursive: true });
      const info = record.KinesisBatchInfo;
      await writeFile(join(failuresDir, `${info.shardId}-${info.startSequenceNumber}.json`), JSON.stringify(record, null, 2));
    },
  });

  let accepted = 0;
  const api: RunningHttpApi = await startHttpApi({
    port: options.port ?? 0,
    routes: [
      {
        routeKey: "POST /v1/events",
        fn: { name: "freshet-local-Ingest", memoryMb: INGEST_FUNCTION.memoryMb, timeoutMs: INGEST_FUNCTION.timeoutSeconds * 1000 },
        handler: ingest,
      },
    ],
    onResponse: (_route, result: APIGatewayProxyStructuredResultV2) => {
      accepted += acceptedCount(result);
    },
  });

  const info: RuntimeInfo = { ingestUrl: `${api.url}/v1/events`, apiKey, endpointUrl: (endpoint as RunningEndpoint).url };
  await writeRuntimeFile(dataDir, info);

  let stopping: Promise<void> | undefined;
  return {
    ...info,
    dataDir,
    mapping,
    services,
    workflows,
    accepted: () => accepted,
    counts: () => (counter as ReceiptCounter).totals(),
    async waitForIdle() {
      await mapping.waitForIdle();
      await Promise.all(pendingReceipts);
    },
    stop() {
      stopping ??= (async () => {
        await api.close();
        await mapping.stop();
        await transformerWorkers?.close();
        await ingestWorkers?.close();
        await Promise.all(pendingReceipts);
        // Running executions stay RUNNING on disk and resume on the next start.
        await services.stepFunctions.close();
        await (endpoint as RunningEndpoint).close();
        kinesis.destroy();
        s3.destroy();
      })();
      return stopping;
    },
  };
}

/** What `sst deploy` creates in AWS: the stream and the lake bucket (idempotent). */
async function provision(kinesis: KinesisClient, s3: S3Client): Promise<void> {
  try {
    await kinesis.send(
      new CreateStreamCommand({ StreamName: LOCAL_RESOURCES.streamName, StreamModeDetails: { StreamMode: "ON_DEMAND" } }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: LOCAL_RESOURCES.streamName }));
  try {
    await s3.send(new HeadBucketCommand({ Bucket: LOCAL_RESOURCES.bucketName }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_RESOURCES.bucketName }));
  }
}

function acceptedCount(result: APIGatewayProxyStructuredResultV2): number {
  try {
    const body = JSON.parse(result.body ?? "{}") as { accepted?: unknown };
    return typeof body.accepted === "number" ? body.accepted : 0;
  } catch {
    return 0;
  }
}
