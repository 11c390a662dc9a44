import { readdirSync } from "node:fs";
import { PeriodicSampler, readOr } from "./periodic-sampler.ts";

/** One process's memory at one sample; `heapUsedMb` only where it can be read (this process). */
export interface ProcessMemory {
  readonly pid: number;
  readonly name: string;
  readonly rssMb: number;
  readonly heapUsedMb?: number;
}

/** A worker thread's V8 heap: threads share their process's RSS, so their heap is what tells them apart. */
export interface ThreadMemory {
  readonly name: string;
  readonly heapUsedMb: number;
}

export interface MemorySample {
  /** Since the run started. */
  readonly atMs: number;
  readonly processes: readonly ProcessMemory[];
  readonly threads: readonly ThreadMemory[];
}

export interface MemoryPoint {
  readonly atMs: number;
  readonly mb: number;
}

/** What "keeps growing" tolerates: bounded memory may still wander by this much (the larger). */
export const GROWTH_TOLERANCE = { mb: 64, share: 0.1 } as const;

const MB = 1024 * 1024;

/** `VmRSS` of a `/proc/<pid>/status` text, in MB; undefined when absent (a kernel thread, a zombie). */
export function vmRssMb(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}

/** The parent pid of a `/proc/<pid>/stat` text (the command may hold spaces and parentheses). */
export function parentPid(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/**
 * Whether memory keeps growing after the warm-up: the lowest point of the last quarter (by time)
 * of the samples past `warmupMs` is above the highest point of their first quarter by more than
 * the tolerance. Bounded memory that rises and falls with garbage collection, or levels off,
 * comes back within its early range; a leak never does. Fewer than 4 samples past the warm-up
 * cannot tell: not growing.
 */
export function keepsGrowing(points: readonly MemoryPoint[], warmupMs: number): boolean {
  const after = points.filter((p) => p.atMs >= warmupMs);
  if (after.length < 4) return false;
  const from = after[0]!.atMs;
  const to = after[after.length - 1]!.atMs;
  const quarter = (to - from) / 4;
  const firstPeak = Math.max(...after.filter((p) => p.atMs <= from + quarter).map((p) => p.mb));
  const lastLow = Math.min(...after.filter((p) => p.atMs >= to - quarter).map((p) => p.mb));
  return lastLow > firstPeak + Math.max(GROWTH_TOLERANCE.mb, GROWTH_TOLERANCE.share * firstPeak);
}

/**
 * This process (the load generator and the platform it runs, worker threads included: threads
 * share its RSS) and every process descended from it, read from /proc where there is one.
 */
export function sampleProcesses(): ProcessMemory[] {
  const usage = process.memoryUsage();
  const own: ProcessMemory = { pid: process.pid, name: "main", rssMb: usage.rss / MB, heapUsedMb: usage.heapUsed / MB };
  return [own, ...descendants(process.pid)];
}

function descendants(root: number): ProcessMemory[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return []; // no /proc: only this process is sampled
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const ppid = parentPid(readOr(`/proc/${pid}/stat`));
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: ProcessMemory[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    queue.push(...(children.get(pid) ?? []));
    const rssMb = vmRssMb(readOr(`/proc/${pid}/status`));
    if (rssMb !== undefined) found.push({ pid, name: readOr(`/proc/${pid}/comm`).trim() || String(pid), rssMb });
  }
  return found;
}

export type ThreadHeaps = () => Promise<readonly { readonly name: string; readonly heapUsedBytes: number }[]>;

/** Samples every process's memory, and the threads' heaps, every `intervalMs` from `start()` until `stop()`. */
export class MemorySampler extends PeriodicSampler<MemorySample> {
  constructor(threads: ThreadHeaps = async () => [], intervalMs = 1000) {
    super(async (atMs) => {
      const processes = sampleProcesses();
      const heaps = await threads().catch(() => []);
      return { atMs, processes, threads: heaps.map((h) => ({ name: h.name, heapUsedMb: h.heapUsedBytes / MB })) };
    }, intervalMs);
  }
}

/** Each thread's heap over time, by name, in the order first seen. */
export function seriesByThread(samples: readonly MemorySample[]): { name: string; points: MemoryPoint[] }[] {
  const byName = new Map<string, { name: string; points: MemoryPoint[] }>();
  for (const sample of samples) {
    for (const t of sample.threads) {
      const series = byName.get(t.name) ?? { name: t.name, points: [] };
      series.points.push({ atMs: sample.atMs, mb: t.heapUsedMb });
      byName.set(t.name, series);
    }
  }
  return [...byName.values()];
}

/** Each process's RSS (and V8 heap, where known) over time, by pid, in the order first seen. */
export function seriesByProcess(samples: readonly MemorySample[]): { pid: number; name: string; points: MemoryPoint[]; heapPoints: MemoryPoint[] }[] {
  const byPid = new Map<number, { pid: number; name: string; points: MemoryPoint[]; heapPoints: MemoryPoint[] }>();
  for (const sample of samples) {
    for (const p of sample.processes) {
      const series = byPid.get(p.pid) ?? { pid: p.pid, name: p.name, points: [], heapPoints: [] };
      series.points.push({ atMs: sample.atMs, mb: p.rssMb });
      if (p.heapUsedMb !== undefined) series.heapPoints.push({ atMs: sample.atMs, mb: p.heapUsedMb });
      byPid.set(p.pid, series);
    }
  }
  return [...byPid.values()];
}
