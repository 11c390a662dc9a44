import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { CONSOLE_DIST_DIR } from "@freshet/console";
import { startConsoleServer, type ConsoleServer } from "../console/console-server.ts";
import { lambdaContext } from "../lambda/context.ts";
import { startEndpoint, type RunningEndpoint } from "../endpoint/server.ts";
import { localStreamApi, sdkStreamApi, type EventSourceMapping, type StreamApi } from "../esm/index.ts";
import type { DeliveryLogEntry } from "../eventbridge/index.ts";
import { deployWorkflows, localWorkflowResources, type DeployResult, type ScheduleOverride } from "../deploy/index.ts";
import type { LambdaRegistry } from "../sfn/index.ts";
import type { WorkflowResources } from "@freshet/workflows";
import { DEFAULT_TRIAGE_SETTINGS, triageEnvironment, type TriageSettings } from "@freshet/core";
import { loadApiKey, loadMetricsApiKey } from "./api-key.ts";
import { ensureColdStartModel } from "./cold-start-model.ts";
import { loadHandlers, type EnvironmentCpu, type EnvironmentHeap, type LocalHandlers, type TransformerHandler } from "./handlers.ts";
import { startIngestRoute, type IngestRoute } from "./ingest-route.ts";
import { createLocalServices, LOCAL_ACCOUNT, type LocalFaults, type LocalServices } from "./local-services.ts";
import { orchestrationClients, provisionOrchestration, provisionStreamAndLake, provisionTriageTrigger, TRIAGE_DEBOUNCE_FUNCTION } from "./provision.ts";
import { endpointEnvironment, linkEnvironment, LOCAL_RESOURCES } from "./links.ts";
import type { PipelineCounts } from "./receipt-counter.ts";
import { LiveReceiptCounts } from "./live-receipt-counts.ts";
import { writeRuntimeFile, type RuntimeInfo } from "./runtime-file.ts";
import { startTransformerMapping } from "./transformer-mapping.ts";

export type { EnvironmentCpu, EnvironmentHeap, TransformerHandler } from "./handlers.ts";

export interface PlatformOptions {
  /** Where every service keeps its state (`FRESHET_DATA_DIR`, default `.freshet/`). */
  readonly dataDir: string;
  /** Port of the ingest API; the AWS endpoint listens on the next one, the console on the one after. 0 picks free ports. */
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
  /**
   * Test-only: the transformer's function timeout as the mapping enforces it (default the
   * deployed 60 s), so a test can make an invocation time out without waiting a minute.
   */
  readonly transformerTimeoutMs?: number;
  /**
   * How the transformer's event source mapping reads the stream: `in-process` (default), over the
   * embedded service's own operations as AWS's pollers read Kinesis from the inside, or `wire`,
   * through the SDK over HTTP like any other consumer. The handler gets the same event either way.
   */
  readonly mappingReads?: "in-process" | "wire";
  /** Replaces workflow schedule expressions locally (e.g. `rate(1 minute)` for demos). */
  readonly scheduleOverride?: ScheduleOverride;
  /** Each delivery of an EventBridge rule or schedule (what `npm start` shows). */
  readonly onDelivery?: (entry: DeliveryLogEntry) => void;
  /** Lines the local services log (SNS `log` subscriptions, …). */
  readonly log?: (line: string) => void;
  /**
   * Test-only: faults injected into the services, to reach paths that otherwise depend on timing
   * (a Redshift statement provably mid-flight when the platform stops, a lost Data API answer, a
   * failed lake write, Step Functions' virtual time); see src/faults/ and its `FaultSwitch` to
   * change them per test. None by default.
   */
  readonly faults?: LocalFaults;
  /**
   * How long a DeadLetterTriage execution started by landed dead letters waits (AWS: 60 s);
   * default `LOCAL_TRIAGE_DEBOUNCE_SECONDS`, or `FRESHET_TRIAGE_DEBOUNCE_SECONDS` when set.
   */
  readonly triageDebounceSeconds?: number;
  /** The triage alert's threshold and cooldown, when not core's defaults (tests that want an alert). */
  readonly triageAlerts?: Partial<Pick<TriageSettings, "alertThreshold" | "alertCooldownMinutes">>;
  /**
   * Whether landing dead letters start DeadLetterTriage (the rule to `TriageDebounce`), as in AWS;
   * default true. Tests that count the dead letters the transformer wrote turn it off (the rule is
   * then not put; one a previous run put in the same data directory stays).
   */
  readonly triageOnLanding?: boolean;
}

/** Locally a burst of dead letters is a test or a demo: a short debounce. */
export const LOCAL_TRIAGE_DEBOUNCE_SECONDS = 5;

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
  /** V8 heap of each function's execution environment (worker thread); they share this process's RSS. */
  environmentHeaps(): Promise<EnvironmentHeap[]>;
  /** CPU time of each function's execution environment (worker thread) since start; the rest of the process's is the platform's. */
  environmentCpu(): Promise<EnvironmentCpu[]>;
  stop(): Promise<void>;
}

/**
 * Freshet on one machine, started in the order `sst deploy` and AWS would bring it up: the
 * embedded endpoint (every AWS service Freshet calls), the stream and the lake bucket, the
 * deployed handlers given their SST links as `SST_RESOURCE_*` variables and the endpoint as
 * `AWS_ENDPOINT_URL`, the warehouse migrations, the workflows, the transformer fed by a local
 * event source mapping with the settings AWS uses, and the ingest route.
 * One platform per process: `Resource` reads the links once.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const apiKey = await loadApiKey(dataDir);
  const metricsApiKey = await loadMetricsApiKey(dataDir);
  const resources = localWorkflowResources(LOCAL_ACCOUNT);
  const receipts = new LiveReceiptCounts();
  const functions: Record<string, unknown> = {}; // the handlers, by function name, once they are loaded

  const { services, endpoint } = await startEmbeddedEndpoint(options, dataDir, functions, receipts);
  setHandlerEnvironment(endpoint.url, { apiKey, metricsApiKey }, resources, options.logLevel);
  setTriageEnvironment(options.triageDebounceSeconds, options.triageAlerts);
  const kinesis = new KinesisClient({});
  const s3 = new S3Client({});
  await provisionStreamAndLake(kinesis, s3);
  await receipts.start(s3, LOCAL_RESOURCES.bucketName);

  const handlers = await loadHandlers(options.transformerEnvironments ?? 1);
  Object.assign(functions, functionsByName(handlers, resources));
  await migrateWarehouse(handlers);
  ensureColdStartModel(dataDir, resources.anomalyEndpointName);
  const workflows = await deployLocalWorkflows(services, resources, options.scheduleOverride, options.triageOnLanding ?? true);
  const transformer = options.wrapTransformer ? options.wrapTransformer(handlers.transformer) : handlers.transformer;
  const stream: StreamApi = options.mappingReads === "wire" ? sdkStreamApi(kinesis) : localStreamApi(services.kinesis);
  const mapping = startTransformerMapping({
    stream,
    handler: transformer,
    dataDir,
    ...(options.batchingWindowSeconds !== undefined ? { batchingWindowSeconds: options.batchingWindowSeconds } : {}),
    ...(options.transformerTimeoutMs !== undefined ? { functionTimeoutMs: options.transformerTimeoutMs } : {}),
  });
  const ingest = await startIngestRoute(handlers.ingest, options.port, handlers.metricsApi);
  const consoleServer = await startConsoleServer({
    staticDir: CONSOLE_DIST_DIR,
    dataDir,
    endpointUrl: endpoint.url,
    apiOrigin: ingest.url,
    apiKey,
    metricsApiKey,
    counters: { accepted: () => ingest.accepted(), counts: () => receipts.totals() },
    port: options.port ? options.port + 2 : 0,
  });

  const info: RuntimeInfo = {
    ingestUrl: `${ingest.url}/v1/events`,
    apiKey,
    metricsUrl: `${ingest.url}/v1/metrics/{view}`,
    metricsApiKey,
    endpointUrl: endpoint.url,
    consoleUrl: consoleServer.url,
  };
  await writeRuntimeFile(dataDir, info);
  return runningPlatform({ info, dataDir, services, endpoint, workflows, receipts, kinesis, s3, handlers, mapping, ingest, console: consoleServer });
}

/** The endpoint and its services; they reach the local functions through `functions` once it is filled. */
async function startEmbeddedEndpoint(options: PlatformOptions, dataDir: string, functions: Record<string, unknown>, receipts: LiveReceiptCounts) {
  let endpoint: RunningEndpoint | undefined;
  const services = createLocalServices({
    dataDir,
    endpointUrl: () => (endpoint as RunningEndpoint).url,
    functions: functions as LambdaRegistry,
    onObjectCreated: (_bucket, key) => receipts.objectCreated(key),
    ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  endpoint = await startEndpoint({ port: options.port ? options.port + 1 : 0, services: services.list });
  return { services, endpoint };
}

/** What the handlers read at module load: their links, the endpoint, Powertools' settings. */
function setHandlerEnvironment(endpointUrl: string, keys: { apiKey: string; metricsApiKey: string }, resources: WorkflowResources, logLevel: string | undefined): void {
  Object.assign(process.env, endpointEnvironment(endpointUrl), linkEnvironment(keys.apiKey, resources, keys.metricsApiKey), {
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: logLevel ?? process.env.FRESHET_LOG_LEVEL ?? "ERROR",
  });
}

/** The triage functions' settings (what stacks/triage.ts sets per stage), with a local debounce. */
function setTriageEnvironment(debounceSeconds: number | undefined, alerts: PlatformOptions["triageAlerts"] = {}): void {
  const fromEnv = process.env.FRESHET_TRIAGE_DEBOUNCE_SECONDS;
  const debounce = debounceSeconds ?? (fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) : LOCAL_TRIAGE_DEBOUNCE_SECONDS);
  Object.assign(process.env, triageEnvironment({ ...DEFAULT_TRIAGE_SETTINGS, ...alerts, debounceSeconds: debounce }));
}

/** The functions Step Functions tasks and EventBridge targets invoke, by their deployed names. */
function functionsByName(handlers: LocalHandlers, resources: WorkflowResources): Record<string, unknown> {
  return {
    "freshet-local-Ingest": handlers.ingest,
    // The deployed transformer, not a test's wrapped one: only the mapping gets that.
    "freshet-local-Transformer": handlers.transformer,
    [resources.loadPlannerFunctionName]: handlers.planner,
    "freshet-local-Migrate": handlers.migrate,
    [resources.triageFunctionName]: handlers.triage,
    [TRIAGE_DEBOUNCE_FUNCTION]: handlers.triageDebounce,
    [resources.anomalyDeciderFunctionName]: handlers.anomalyDecider,
  };
}

/** What the deploy-time invocation does in AWS: bring the warehouse schema up to date. */
async function migrateWarehouse(handlers: LocalHandlers): Promise<void> {
  await handlers.migrate({}, lambdaContext({ name: "freshet-local-Migrate", memoryMb: 256, timeoutMs: 300_000 }));
}

/**
 * What `sst deploy` creates for the workflows, through the same APIs; then the executions a
 * previous run left in flight resume (they may call the endpoint, so only now).
 */
async function deployLocalWorkflows(
  services: LocalServices,
  resources: WorkflowResources,
  scheduleOverride: ScheduleOverride | undefined,
  triageOnLanding: boolean,
): Promise<DeployResult> {
  await provisionOrchestration(resources);
  const clients = orchestrationClients();
  const workflows = await deployWorkflows({ ...clients, resources, ...(scheduleOverride ? { scheduleOverride } : {}) })
    .then(async (deployed) => {
      if (triageOnLanding) await provisionTriageTrigger(clients.events, resources);
      return deployed;
    })
    .finally(() => Object.values(clients).forEach((c) => c.destroy()));
  services.stepFunctions.resumeExecutions();
  return workflows;
}

interface RunningParts {
  readonly info: RuntimeInfo;
  readonly dataDir: string;
  readonly services: LocalServices;
  readonly endpoint: RunningEndpoint;
  readonly workflows: DeployResult;
  readonly receipts: LiveReceiptCounts;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly handlers: LocalHandlers;
  readonly mapping: EventSourceMapping;
  readonly ingest: IngestRoute;
  readonly console: ConsoleServer;
}

function runningPlatform(parts: RunningParts): Platform {
  const { info, dataDir, services, workflows, receipts, mapping, ingest, handlers } = parts;
  let stopping: Promise<void> | undefined;
  return {
    ...info,
    dataDir,
    mapping,
    services,
    workflows,
    accepted: () => ingest.accepted(),
    counts: (): PipelineCounts => receipts.totals(),
    async waitForIdle() {
      await mapping.waitForIdle();
      await receipts.settled();
    },
    environmentHeaps: () => handlers.environmentHeaps(),
    environmentCpu: () => handlers.environmentCpu(),
    stop() {
      stopping ??= stopInOrder(parts);
      return stopping;
    },
  };
}

/** Traffic first (the route, the mapping, the functions), then state: running executions stay RUNNING on disk and resume on the next start. */
async function stopInOrder(parts: RunningParts): Promise<void> {
  await parts.console.close();
  await parts.ingest.close();
  await parts.mapping.stop();
  await parts.handlers.close();
  await parts.receipts.settled();
  await parts.services.stepFunctions.close();
  await parts.endpoint.close();
  parts.kinesis.destroy();
  parts.s3.destroy();
}
