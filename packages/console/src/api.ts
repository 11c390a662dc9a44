/**
 * The console API's answers, as the local platform's console server sends them (JSON: dates as
 * ISO strings). The page imports no server code: these types are the contract.
 */
export interface PipelineCounts {
  readonly received: number;
  readonly processed: number;
  readonly deadLettered: number;
  readonly filtered: number;
  readonly batches: number;
}

export interface AuditWindow {
  readonly window_start: string;
  readonly status: string;
  readonly received: number;
  readonly processed: number;
  readonly filtered: number;
  readonly dead_lettered: number;
  readonly loaded: number;
  readonly duplicates: number;
  readonly in_flight: number;
  readonly redriven: number;
  readonly repaired: number;
}

export interface WarehouseStatus {
  readonly received: number;
  readonly loaded: number;
  readonly deadLettered: number;
  readonly filtered: number;
  readonly inFlight: number;
  readonly redriven: number;
  readonly repaired: number;
  readonly balanced: boolean;
  readonly freshnessSeconds?: number;
  readonly confidence?: number;
  readonly windows: readonly AuditWindow[];
}

export interface PipelinePoint {
  readonly t: number;
  readonly accepted: number;
  readonly processed: number;
  readonly loaded: number | null;
  readonly freshnessSeconds: number | null;
  readonly inFlight: number | null;
}

export interface Overview {
  readonly accepted: number;
  readonly counts: PipelineCounts;
  readonly executions: { readonly succeeded: number; readonly failed: number; readonly running: number };
  readonly warehouse: WarehouseStatus | null;
  readonly series: readonly PipelinePoint[];
}

export interface Workflow {
  readonly name: string;
  readonly arn: string;
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

export interface StepError {
  readonly event: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One pass through a state (a retried state has several). */
export interface Step {
  readonly name: string;
  readonly type: string;
  readonly attempt: number;
  readonly enteredAt: string;
  readonly exitedAt: string | null;
  readonly input: string | null;
  readonly output: string | null;
  readonly resource: string | null;
  readonly errors: readonly StepError[];
}

export interface ExecutionDetail {
  readonly name: string;
  readonly arn: string;
  readonly workflow: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly definition: unknown;
  readonly steps: readonly Step[];
  readonly historyTruncated: boolean;
}

export interface TriageReport {
  readonly unhandled: { readonly objects: number; readonly byReason: Record<string, number>; readonly oldestAt: string | null };
  readonly triaged: number;
  readonly quarantined: { readonly objects: number; readonly byReason: Record<string, number> };
  readonly latest: Record<string, unknown> | null;
}

export type Cell = string | number | boolean | null;

export interface AnomaliesAndAlerts {
  readonly anomalies: readonly Record<string, Cell>[];
  readonly alerts: readonly { topic: string; timestamp: string; subject: string | null; message: string }[];
}

/** `GET /v1/metrics/{view}` through the console; `available: false` while the metrics API is not there. */
export type Dashboard =
  | { readonly available: false; readonly view: string }
  | { readonly available: true; readonly view: string; readonly rows?: readonly Record<string, Cell>[]; readonly freshness?: unknown; readonly error?: string };

/** An answer the API refused or failed: the page shows the message. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** GET one console API route (the cookie the `?key=` link set signs it). */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`/console/api/${path}`, { headers: { accept: "application/json" } });
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new ApiError(response.status, body.message ?? `${response.status}`);
  return body as T;
}
