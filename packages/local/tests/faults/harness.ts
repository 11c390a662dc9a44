import { DescribeStatementCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { buildAuditQuery } from "@freshet/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { TransformerHandler } from "../../src/platform/handlers.ts";
import { query, type Cell } from "../../../functions/src/load/data-api.ts";
import { queryAudit } from "../../src/cli/commands/audit.ts";
import { generateEvents, LOCAL_RESOURCES, sendEvents, startPlatform, type GeneratedEvent, type Platform, type PlatformOptions } from "../../src/index.ts";

export interface LoadOutcome {
  readonly status: string;
  readonly output: Record<string, unknown> | null;
  readonly error?: string;
  readonly cause?: string;
}

/**
 * One platform for a file of fault tests: events go in through the ingest API, Loads are run by
 * hand, and the oracle is the generator's `expected` fate of every event sent so far.
 */
/**
 * The transformer as a test switches it: `wrap` goes to `startPlatform({ wrapTransformer })` once,
 * `use` puts a fault's wrapper around the handler for the next invocations, `clear` takes it off.
 */
export class SwitchableTransformer {
  #wrapper: ((handler: TransformerHandler) => TransformerHandler) | undefined;

  readonly wrap = (handler: TransformerHandler): TransformerHandler => (event, context) => (this.#wrapper ? this.#wrapper(handler) : handler)(event, context);

  use(wrapper: (handler: TransformerHandler) => TransformerHandler): void {
    this.#wrapper = wrapper;
  }

  clear(): void {
    this.#wrapper = undefined;
  }
}

export class FaultPipeline {
  readonly sent: GeneratedEvent[] = [];
  readonly platform: Platform;
  readonly dataDir: string;
  readonly clients: { s3: S3Client; sfn: SFNClient; redshift: RedshiftDataClient };

  private constructor(platform: Platform, dataDir: string, clients: FaultPipeline["clients"]) {
    this.platform = platform;
    this.dataDir = dataDir;
    this.clients = clients;
  }

  static async start(options: Omit<PlatformOptions, "dataDir">): Promise<FaultPipeline> {
    const dataDir = await mkdtemp(join(tmpdir(), "freshet-faults-"));
    const platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, triageOnLanding: false, logLevel: "CRITICAL", ...options });
    const config = { endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
    return new FaultPipeline(platform, dataDir, { s3: new S3Client({ ...config, forcePathStyle: true }), sfn: new SFNClient(config), redshift: new RedshiftDataClient(config) });
  }

  async stop(): Promise<void> {
    for (const client of Object.values(this.clients)) client.destroy();
    await this.platform.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Sends `count` generated events (one request) and waits until the transformer has had them all. */
  async ingest(count: number, seed: number): Promise<GeneratedEvent[]> {
    return this.ingestEvents(generateEvents(count, new Date(), seed));
  }

  async ingestEvents(events: GeneratedEvent[]): Promise<GeneratedEvent[]> {
    const count = events.length;
    expect(await sendEvents(this.platform.ingestUrl, this.platform.apiKey, events.map((e) => e.line))).toBe(count);
    this.sent.push(...events);
    await this.platform.waitForIdle();
    return events;
  }

  /** One Load execution (a scheduled run's input, receipts only unless told to reconcile), to its end. */
  async load(input: { reconcile?: boolean } = {}): Promise<LoadOutcome> {
    const arn = this.platform.workflows.workflows.find((w) => w.name === "Load")?.stateMachineArn;
    const { executionArn } = await this.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ pollSeconds: 1, reconcile: false, ...input }) }));
    return (await this.platform.services.stepFunctions.waitForExecution(executionArn as string)) as unknown as LoadOutcome;
  }

  /** Scheduled Loads until one finds nothing left; their outcomes. */
  async loadUntilIdle(input: { reconcile?: boolean } = {}): Promise<LoadOutcome[]> {
    const outcomes: LoadOutcome[] = [];
    for (let i = 0; i < 20; i++) {
      outcomes.push(await this.load(input));
      if (outcomes.at(-1)?.output?.loaded === false) return outcomes;
    }
    throw new Error(`Load still finds work after 20 runs: ${JSON.stringify(outcomes.at(-1))}`);
  }

  /** Loads until one finds nothing, reconciling processed/ against the ledger; every one must succeed. */
  async loadEverything(): Promise<void> {
    const outcomes = await this.loadUntilIdle({ reconcile: true });
    for (const outcome of outcomes) expect(outcome.status, JSON.stringify(outcome)).toBe("SUCCEEDED");
  }

  /** Every key of the lake under `prefix`. */
  async lakeKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.clients.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_RESOURCES.bucketName, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  rows(sql: string): Promise<Cell[][]> {
    return query(this.clients.redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });
  }

  /** The Data API's status of a statement, polled until it has ended. */
  async ended(id: string): Promise<string> {
    for (;;) {
      const { Status } = await this.clients.redshift.send(new DescribeStatementCommand({ Id: id }));
      if (Status === "FINISHED" || Status === "FAILED" || Status === "ABORTED") return Status;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** What every fault must leave (`expectExactlyOnceAndBalanced`), for the events sent so far. */
  async expectExactlyOnceAndBalanced(): Promise<void> {
    await expectExactlyOnceAndBalanced(this.clients.redshift, this.sent);
  }
}

/**
 * What every fault must leave: `events` holds each valid event id of `sent` exactly once, and the
 * audit balances in every window with the oracle's totals (every event accounted for).
 */
export async function expectExactlyOnceAndBalanced(redshift: RedshiftDataClient, sent: readonly GeneratedEvent[]): Promise<void> {
  const rows = (sql: string) => query(redshift, { workgroup: "freshet-local", database: "freshet" }, sql, { firstPollMs: 5 });
  const valid = new Set(sent.flatMap((e) => (e.expected.kind === "processed" ? [e.expected.eventId] : [])));
  expect(await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")).toEqual([[valid.size, valid.size]]);
  expect(new Set((await rows("SELECT event_id FROM events")).map((r) => r[0]))).toEqual(valid);
  const windows = await queryAudit(redshift, { WorkgroupName: "freshet-local", Database: "freshet" }, buildAuditQuery({}));
  expect(windows.filter((w) => w.status !== "balanced")).toEqual([]);
  const sum = (pick: (w: (typeof windows)[number]) => number) => windows.reduce((n, w) => n + pick(w), 0);
  const count = (kind: string) => sent.filter((e) => e.expected.kind === kind).length;
  expect({
    received: sum((w) => w.received),
    processed: sum((w) => w.processed),
    filtered: sum((w) => w.filtered),
    deadLettered: sum((w) => w.dead_lettered),
    loaded: sum((w) => w.loaded),
    duplicates: sum((w) => w.duplicates),
  }).toEqual({
    received: sent.length,
    processed: count("processed"),
    filtered: count("filtered"),
    deadLettered: count("dead_lettered"),
    loaded: valid.size,
    duplicates: count("processed") - valid.size,
  });
}

/** Whether a BatchExecuteStatement call is a Load's (its SQL COPYs a manifest). */
export function isLoadBatch(input: Readonly<Record<string, unknown>>): boolean {
  return Array.isArray(input.Sqls) && input.Sqls.some((sql) => typeof sql === "string" && /^\s*COPY\b/i.test(sql));
}
