import { percentile } from "../shared/percentile.ts";
import type { LoadtestOptions } from "./args.ts";
import { meanShare, type CpuShare } from "./cpu.ts";
import type { LoadStatementsSample } from "./load-statements.ts";
import type { Reconciled } from "./reconcile.ts";
import { keepsGrowing, seriesByProcess, seriesByThread, type MemoryPoint, type MemorySample } from "./sampler.ts";

/** The audit after the drain, against the oracle of what was accepted. */
export interface AuditSummary {
  /** Every window `balanced` (none in flight or out of balance). */
  readonly balanced: boolean;
  /** Its totals are what the accepted events must give: received, loaded, duplicates, filtered, dead-lettered. */
  readonly matchesOracle: boolean;
  readonly windows: number;
  readonly received: number;
  readonly loaded: number;
  readonly duplicates: number;
  readonly filtered: number;
  readonly deadLettered: number;
  readonly inFlight: number;
}

export interface ReportInput {
  readonly options: LoadtestOptions;
  readonly traffic: { readonly scheduled: number; readonly offered: number; readonly accepted: number; readonly rejected: number };
  /** From the first POST until the last was answered. */
  readonly sendMs: number;
  /** From the first POST until every expected row was in `events`; undefined when that never happened. */
  readonly allLoadedMs: number | undefined;
  readonly reconciled: Reconciled;
  readonly lagsMs: readonly number[];
  readonly probesMissing: number;
  readonly samples: readonly MemorySample[];
  /** Cores used per interval (cpu.ts), by part. */
  readonly cpu: readonly CpuShare[];
  readonly loadStatements: LoadStatements;
  readonly audit: AuditSummary;
}

export interface ProcessReport {
  readonly pid: number;
  readonly name: string;
  readonly peakMb: number;
  readonly lastMb: number;
  /** The main thread's V8 heap (this process only): tells JavaScript memory from native (DuckDB, buffers). */
  readonly peakHeapMb?: number;
  readonly lastHeapMb?: number;
  readonly growing: boolean;
  /** [seconds since the start, RSS MB], at most MAX_POINTS of them. */
  readonly overTime: readonly (readonly [number, number])[];
}

export interface ThreadReport {
  readonly name: string;
  readonly peakHeapMb: number;
  readonly lastHeapMb: number;
  readonly growing: boolean;
  /** [seconds since the start, V8 heap used MB], at most MAX_POINTS of them. */
  readonly overTime: readonly (readonly [number, number])[];
}

/** Mean cores of the process and of each part, over part of the run. */
export interface CpuMean {
  readonly cores: number;
  readonly byPart: Readonly<Record<string, number>>;
}

/** Where the CPU went (cpu.ts): what took cores from what as the run went on. */
export interface CpuReport {
  /** Over the first and the last quarter of the sending; null when no interval ended in it. */
  readonly firstQuarter: CpuMean | null;
  readonly lastQuarter: CpuMean | null;
  /** [seconds since the start, cores, cores by part], at most MAX_POINTS of them. */
  readonly overTime: readonly (readonly [number, number, Readonly<Record<string, number>>])[];
}

/** The load transaction's slowest statements (load-statements.ts) a quarter into the sending and at its end. */
export interface LoadStatements {
  readonly early: LoadStatementsSample;
  readonly late: LoadStatementsSample;
}

/** The JSON line `npm run loadtest` ends with. */
export interface LoadtestReport {
  readonly rate: number;
  readonly durationS: number;
  readonly burst: boolean;
  readonly scheduled: number;
  readonly offered: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly acceptedPerSecond: number;
  readonly loaded: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unexpected: number;
  /** Accepted events ÷ (first POST → last expected row); 0 unless every one was loaded. */
  readonly eventsPerSecond: number;
  /** Last POST answered → last expected row; null when never all loaded. */
  readonly drainMs: number | null;
  /** POST → row lag percentiles of the probes; null when the percentile falls on a probe never found. */
  readonly p50LagMs: number | null;
  readonly p95LagMs: number | null;
  readonly p99LagMs: number | null;
  readonly probes: number;
  readonly probesMissing: number;
  /** Highest sum of every process's RSS at one sample. */
  readonly peakRssMb: number;
  readonly warmupS: number;
  /** How long after the last POST the pipeline had to load everything. */
  readonly drainS: number;
  readonly memoryGrowing: boolean;
  /** RSS of this process (the generator and the platform, threads included) and of any child process. */
  readonly memory: readonly ProcessReport[];
  /** V8 heap of each function's execution environment (worker thread), within the main process's RSS. */
  readonly threads: readonly ThreadReport[];
  readonly cpu: CpuReport;
  readonly loadStatements: LoadStatements;
  readonly audit: AuditSummary;
  /** Why the run fails (exit 1); empty when it passes. */
  readonly failures: readonly string[];
}

const MAX_POINTS = 60;

export function buildReport(input: ReportInput): LoadtestReport {
  const { options, traffic, reconciled, audit } = input;
  const warmupMs = options.warmupS * 1000;
  const lags = [...input.lagsMs, ...Array.from({ length: input.probesMissing }, () => Number.POSITIVE_INFINITY)];
  const series = seriesByProcess(input.samples);
  const totals: MemoryPoint[] = input.samples.map((s) => ({ atMs: s.atMs, mb: s.processes.reduce((n, p) => n + p.rssMb, 0) }));
  const memory = series.map((s) => ({
    pid: s.pid,
    name: s.name,
    peakMb: Math.round(Math.max(...s.points.map((p) => p.mb))),
    lastMb: Math.round(s.points[s.points.length - 1]?.mb ?? 0),
    ...(s.heapPoints.length > 0
      ? { peakHeapMb: Math.round(Math.max(...s.heapPoints.map((p) => p.mb))), lastHeapMb: Math.round(s.heapPoints[s.heapPoints.length - 1]!.mb) }
      : {}),
    growing: keepsGrowing(s.points, warmupMs),
    overTime: downsample(s.points, MAX_POINTS).map((p) => [Math.round(p.atMs / 100) / 10, Math.round(p.mb)] as const),
  }));
  const threads = seriesByThread(input.samples).map((s) => ({
    name: s.name,
    peakHeapMb: Math.round(Math.max(...s.points.map((p) => p.mb))),
    lastHeapMb: Math.round(s.points[s.points.length - 1]?.mb ?? 0),
    growing: keepsGrowing(s.points, warmupMs),
    overTime: downsample(s.points, MAX_POINTS).map((p) => [Math.round(p.atMs / 100) / 10, Math.round(p.mb)] as const),
  }));
  const allLoaded = reconciled.lost === 0 && input.allLoadedMs !== undefined;
  const report = {
    rate: options.rate,
    durationS: options.durationS,
    burst: options.burst,
    ...traffic,
    acceptedPerSecond: perSecond(traffic.accepted, input.sendMs),
    loaded: reconciled.loaded,
    lost: reconciled.lost,
    duplicated: reconciled.duplicated,
    unexpected: reconciled.unexpected,
    eventsPerSecond: allLoaded ? perSecond(traffic.accepted, input.allLoadedMs as number) : 0,
    drainMs: allLoaded ? Math.round((input.allLoadedMs as number) - input.sendMs) : null,
    p50LagMs: finiteOrNull(percentile(lags, 0.5)),
    p95LagMs: finiteOrNull(percentile(lags, 0.95)),
    p99LagMs: finiteOrNull(percentile(lags, 0.99)),
    probes: lags.length,
    probesMissing: input.probesMissing,
    peakRssMb: Math.round(Math.max(0, ...totals.map((p) => p.mb))),
    warmupS: options.warmupS,
    drainS: options.drainS,
    memoryGrowing: memory.some((m) => m.growing) || threads.some((t) => t.growing) || keepsGrowing(totals, warmupMs),
    memory,
    threads,
    cpu: cpuReport(input.cpu, input.sendMs),
    loadStatements: input.loadStatements,
    audit,
  };
  return { ...report, failures: failures(report) };
}

function cpuReport(shares: readonly CpuShare[], sendMs: number): CpuReport {
  const quarter = sendMs / 4;
  const mean = (from: number, to: number): CpuMean | null => {
    const m = meanShare(shares, from, to);
    return m === undefined ? null : { cores: round2(m.cores), byPart: mapValues(m.byPart, round2) };
  };
  return {
    firstQuarter: mean(0, quarter),
    lastQuarter: mean(sendMs - quarter, sendMs),
    overTime: downsample(shares, MAX_POINTS).map((s) => [Math.round(s.atMs / 100) / 10, round2(s.cores), mapValues(s.byPart, round2)] as const),
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function mapValues(record: Readonly<Record<string, number>>, f: (n: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** Why a run fails: anything lost, duplicated or refused, an audit that does not add up, memory that keeps growing. */
export function failures(report: Omit<LoadtestReport, "failures">): string[] {
  const reasons: string[] = [];
  if (report.lost > 0) reasons.push(`${report.lost} valid events not loaded ${report.drainS} s after the last POST`);
  if (report.duplicated > 0) reasons.push(`${report.duplicated} duplicate rows`);
  if (report.unexpected > 0) reasons.push(`${report.unexpected} rows of events never accepted`);
  if (report.rejected > 0) reasons.push(`${report.rejected} events refused by ingest`);
  if (!report.audit.balanced) reasons.push("the audit has windows not balanced");
  if (!report.audit.matchesOracle) reasons.push("the audit's totals differ from the events accepted");
  if (report.memoryGrowing) {
    const growing = [...report.memory.filter((m) => m.growing).map((m) => `${m.name} (${m.pid})`), ...report.threads.filter((t) => t.growing).map((t) => `${t.name} (thread heap)`)];
    reasons.push(`memory keeps growing after the warm-up${growing.length > 0 ? `: ${growing.join(", ")}` : " (all processes together)"}`);
  }
  return reasons;
}

/** At most `max` points, evenly spaced, the first and last kept. */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)] as T);
}

function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count * 1000) / ms) : 0;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value) : null;
}
