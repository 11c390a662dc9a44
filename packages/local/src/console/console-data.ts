import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  type ExecutionStatus,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { join } from "node:path";
import { listAnomalies } from "../anomaly/list.ts";
import { triageReport, type TriageReport } from "../cli/commands/dlq.ts";
import { LOCAL_WAREHOUSE } from "../deploy/local-resources.ts";
import { tallyExecutions, type ExecutionTally } from "../platform/execution-tally.ts";
import { LOCAL_RESOURCES } from "../platform/links.ts";
import { warehouseStatus, type WarehouseStatus } from "../platform/warehouse-status.ts";
import { historySteps } from "../sfn/service/history-steps.ts";
import { readAlerts } from "../sns/alerts.ts";
import type { PipelineCounts } from "../platform/receipt-counter.ts";

/** What the console reads from the running platform itself (not through an AWS API). */
export interface PlatformCounters {
  accepted(): number;
  counts(): PipelineCounts;
}

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
/** Executions listed per state machine, and history events read per execution (the page shows a run, not an archive). */
const LIST_PER_MACHINE = 50;
const MAX_HISTORY_EVENTS = 5000;
const DAY_MS = 86_400_000;

/**
 * The console's reads, each through the API an operator would use: Step Functions through
 * `@aws-sdk/client-sfn`, the warehouse through the Redshift Data API, the lake through S3, the
 * alerts from the SNS sink files; counters from the platform.
 */
export class ConsoleData {
  readonly #sfn: SFNClient;
  readonly #redshift: RedshiftDataClient;
  readonly #s3: S3Client;
  readonly #warehouse = { workgroup: LOCAL_WAREHOUSE.warehouseWorkgroupName, database: LOCAL_WAREHOUSE.warehouseDatabase };
  readonly #dataDir: string;
  readonly #counters: PlatformCounters;

  constructor(endpointUrl: string, dataDir: string, counters: PlatformCounters) {
    this.#dataDir = dataDir;
    this.#counters = counters;
    const config = { endpoint: endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
    this.#sfn = new SFNClient(config);
    this.#redshift = new RedshiftDataClient(config);
    this.#s3 = new S3Client({ ...config, forcePathStyle: true });
  }

  counts(): { accepted: number; counts: PipelineCounts } {
    return { accepted: this.#counters.accepted(), counts: this.#counters.counts() };
  }

  warehouse(): Promise<WarehouseStatus> {
    return warehouseStatus(this.#redshift, this.#warehouse.workgroup, this.#warehouse.database);
  }

  async workflows(): Promise<{ name: string; arn: string }[]> {
    const machines: { name: string; arn: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#sfn.send(new ListStateMachinesCommand({ nextToken }));
      for (const m of page.stateMachines ?? []) if (m.name && m.stateMachineArn) machines.push({ name: m.name, arn: m.stateMachineArn });
      nextToken = page.nextToken;
    } while (nextToken);
    return machines.sort((a, b) => a.name.localeCompare(b.name));
  }

  async tally(): Promise<ExecutionTally> {
    return tallyExecutions(this.#sfn, await this.workflows());
  }

  /** The newest executions of one workflow or all, optionally of one status (ListExecutions' statusFilter). */
  async executions(filter: { workflow?: string; status?: string }): Promise<ExecutionRow[]> {
    const statusFilter = EXECUTION_STATUSES.find((s) => s === filter.status);
    const machines = (await this.workflows()).filter((m) => !filter.workflow || m.name === filter.workflow);
    const pages = await Promise.all(
      machines.map(async (m) => {
        const page = await this.#sfn.send(new ListExecutionsCommand({ stateMachineArn: m.arn, maxResults: LIST_PER_MACHINE, ...(statusFilter ? { statusFilter } : {}) }));
        return (page.executions ?? []).map((e) => ({
          workflow: m.name,
          name: e.name ?? "",
          arn: e.executionArn ?? "",
          status: e.status ?? "",
          startedAt: e.startDate?.toISOString() ?? null,
          stoppedAt: e.stopDate?.toISOString() ?? null,
          durationMs: e.startDate && e.stopDate ? e.stopDate.getTime() - e.startDate.getTime() : null,
        }));
      }),
    );
    return pages.flat().sort((a, b) => (b.startedAt ?? "").localeCompare(a.startedAt ?? ""));
  }

  /** One execution: what DescribeExecution says, its state machine's definition, and its history folded into state passes. */
  async execution(executionArn: string) {
    const execution = await this.#sfn.send(new DescribeExecutionCommand({ executionArn }));
    const machine = await this.#sfn.send(new DescribeStateMachineCommand({ stateMachineArn: execution.stateMachineArn }));
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken && events.length < MAX_HISTORY_EVENTS);
    return {
      name: execution.name ?? "",
      arn: executionArn,
      workflow: machine.name ?? "",
      status: execution.status ?? "",
      startedAt: execution.startDate?.toISOString() ?? null,
      stoppedAt: execution.stopDate?.toISOString() ?? null,
      input: execution.input ?? null,
      output: execution.output ?? null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
      definition: JSON.parse(machine.definition ?? "{}") as unknown,
      steps: historySteps(events).map((s) => ({
        name: s.name,
        type: s.type,
        attempt: s.attempt,
        enteredAt: s.entered.toISOString(),
        exitedAt: s.exited?.toISOString() ?? null,
        input: s.input ?? null,
        output: s.output ?? null,
        resource: s.resource ?? null,
        errors: s.errors,
      })),
      historyTruncated: nextToken !== undefined,
    };
  }

  /** Anomalies of the last day (the warehouse's `anomalies` table) and the alerts published (the SNS sink). */
  async anomalies() {
    const since = new Date(Date.now() - DAY_MS);
    const [rows, reading] = await Promise.all([listAnomalies(this.#redshift, this.#warehouse, since, 50), readAlerts(join(this.#dataDir, "sns"), { since })]);
    return { anomalies: rows, alerts: reading.alerts.slice(-50).reverse() };
  }

  triage(): Promise<TriageReport> {
    return triageReport(this.#s3, LOCAL_RESOURCES.bucketName);
  }

  close(): void {
    this.#sfn.destroy();
    this.#redshift.destroy();
    this.#s3.destroy();
  }
}

export interface ExecutionRow {
  readonly workflow: string;
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
  readonly durationMs: number | null;
}
