import { readdirSync } from "node:fs";
import { PeriodicSampler, readOr } from "./periodic-sampler.ts";

/*
 * Where the CPU goes while the pipeline runs: how many cores the process uses, split over the
 * parts that compete for them. Memory alone could not say why the transformer slows down in a
 * long run; this does (the warehouse's statements, on the thread pool, take cores from it as the
 * tables grow). Functions are measured by their execution environments' own threads; the rest by
 * Linux thread names (`/proc/self/task/<tid>/comm`), where there is a /proc.
 */

/**
 * The parts of the process besides the functions, by the thread names Node gives (setting
 * `process.title` renames the main thread, which would then count as `other`).
 */
const THREAD_PARTS: ReadonlyMap<string, string> = new Map([
  ["MainThread", "main"],
  // libuv's pool: DuckDB runs every warehouse statement on it, and the lake's file writes go through it.
  ["libuv-worker", "pool"],
  // V8's helpers: concurrent and parallel garbage collection, background compilation.
  ["V8Worker", "v8"],
]);

/** Linux's USER_HZ: `/proc` counts CPU time in ticks of 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time used so far (user + system), µs: the whole process and its parts. */
export interface CpuSample {
  /** Since the run started. */
  readonly atMs: number;
  readonly processMicros: number;
  readonly byPart: Readonly<Record<string, number>>;
}

/** Cores used between two samples: the process's, and each part's. */
export interface CpuShare {
  /** The end of the interval, since the run started. */
  readonly atMs: number;
  readonly cores: number;
  readonly byPart: Readonly<Record<string, number>>;
}

/** The CPU time (user + system) of a `/proc/<pid>/task/<tid>/stat` text, µs; undefined when it is not one. */
export function taskCpuMicros(stat: string): number | undefined {
  // Fields after the command (which may hold spaces and parentheses): state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1_000_000) / TICKS_PER_SECOND : undefined;
}

/** This process's threads' CPU µs by part (`main`, `pool`, `v8`, `other`; worker threads left out); empty without /proc. */
export function threadCpuByPart(taskDir = "/proc/self/task"): Record<string, number> {
  const parts: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync(taskDir);
  } catch {
    return parts;
  }
  for (const tid of tids) {
    const name = readOr(`${taskDir}/${tid}/comm`).trim();
    if (name === "WorkerThread") continue; // the functions' environments: measured by themselves
    const micros = taskCpuMicros(readOr(`${taskDir}/${tid}/stat`));
    if (micros === undefined) continue; // a thread that ended since the listing
    const part = THREAD_PARTS.get(name) ?? "other";
    parts[part] = (parts[part] ?? 0) + micros;
  }
  return parts;
}

/**
 * Cores per interval between consecutive samples. A part missing from the earlier sample (an
 * environment started, or replaced after a crash, meanwhile) counts 0 for that interval.
 */
export function cpuShares(samples: readonly CpuSample[]): CpuShare[] {
  const shares: CpuShare[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [from, to] = [samples[i - 1]!, samples[i]!];
    const micros = (to.atMs - from.atMs) * 1000;
    if (micros <= 0) continue;
    const byPart: Record<string, number> = {};
    for (const [part, used] of Object.entries(to.byPart)) byPart[part] = Math.max(0, used - (from.byPart[part] ?? used)) / micros;
    shares.push({ atMs: to.atMs, cores: Math.max(0, to.processMicros - from.processMicros) / micros, byPart });
  }
  return shares;
}

/** Mean cores per part over the shares ending within [fromMs, toMs]: the process's and each part's. */
export function meanShare(shares: readonly CpuShare[], fromMs: number, toMs: number): { cores: number; byPart: Record<string, number> } | undefined {
  const within = shares.filter((s) => s.atMs > fromMs && s.atMs <= toMs);
  if (within.length === 0) return undefined;
  const byPart: Record<string, number> = {};
  for (const s of within) for (const [part, cores] of Object.entries(s.byPart)) byPart[part] = (byPart[part] ?? 0) + cores / within.length;
  return { cores: within.reduce((sum, s) => sum + s.cores, 0) / within.length, byPart };
}

/** "1.84 cores: main 0.47, transformer 1 0.20, pool 0.52, …", the largest parts first. */
export function formatShare(share: { cores: number; byPart: Readonly<Record<string, number>> }): string {
  const parts = Object.entries(share.byPart)
    .filter(([, cores]) => cores >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([part, cores]) => `${part} ${cores.toFixed(2)}`);
  return `${share.cores.toFixed(2)} cores: ${parts.join(", ")}`;
}

export type EnvironmentCpu = () => Promise<readonly { readonly name: string; readonly cpuMicros: number }[]>;

/** Samples the process's CPU by part every `intervalMs` from `start()` until `stop()`. */
export class CpuSampler extends PeriodicSampler<CpuSample> {
  constructor(environments: EnvironmentCpu, intervalMs = 5000) {
    super(async (atMs) => {
      const usage = process.cpuUsage();
      const byPart: Record<string, number> = threadCpuByPart();
      for (const e of await environments().catch(() => [])) byPart[e.name] = e.cpuMicros;
      return { atMs, processMicros: usage.user + usage.system, byPart };
    }, intervalMs);
  }
}
