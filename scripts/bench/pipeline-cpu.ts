import { setTimeout as sleep } from "node:timers/promises";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateEvents, sendEvents, startPlatform, type EnvironmentCpu, type Platform } from "@freshet/local";
import { format } from "./measure.ts";

/** Below the pipeline's saturation on two cores, so the batches look the same before and after a change. */
const RATE = Number(process.env.FRESHET_BENCH_CPU_RATE ?? 4000);
const SECONDS = Number(process.env.FRESHET_BENCH_CPU_SECONDS ?? 10);
const TICK_MS = 100;
const PER_REQUEST = 500;
const DRAIN_DEADLINE_MS = 60_000;

interface CpuSnapshot {
  /** CPU µs by thread name (Linux: /proc/self/task), to tell libuv's pool, V8's and DuckDB's threads apart. */
  readonly byThreadName: ReadonlyMap<string, number>;
  /** The whole process: every thread, DuckDB's and libuv's pools included. */
  readonly processMicros: number;
  /** Of which in the kernel (file and socket calls): the part a change to Freshet's JS cannot cut. */
  readonly processSystemMicros: number;
  readonly mainMicros: number;
  readonly mainSystemMicros: number;
  readonly environments: readonly EnvironmentCpu[];
}

/**
 * What one event costs the machine, POST → lake (ingest, stream, mapping, transformer, the lake's
 * objects): a steady rate below saturation for a while, then until the transformer has been
 * through every record; the CPU the process used meanwhile (all threads, the POSTing client's
 * share included, as in `pipeline`) divided by the events, and its split over the main thread
 * (the embedded endpoint, the mapping) and each function's execution environment. The Load keeps
 * its deployed schedule (every 5 minutes), so its per-run cost, which grows with the wall time
 * and not with the events, stays out. CPU time, unlike a rate, changes little when another
 * process shares the cores: the figure to compare before and after a change.
 */
export async function benchPipelineCpu(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-bench-pipeline-cpu-"));
  let platform: Platform | undefined;
  const reads = process.env.FRESHET_BENCH_MAPPING_READS === "wire" ? "wire" : "in-process";
  try {
    platform = await startPlatform({ dataDir, batchingWindowSeconds: 0, mappingReads: reads, triageOnLanding: process.env.FRESHET_BENCH_TRIAGE !== "off" });
    const pool = generateEvents(RATE * SECONDS, new Date(), 9004);
    // A first second warms every path (JIT, first objects) before measuring.
    await offer(platform.ingestUrl, platform.apiKey, pool.slice(0, RATE).map((e) => e.line));
    await inLake(platform, RATE);

    const measured = pool.slice(RATE);
    const batchesBefore = platform.mapping.counters.batchesInvoked;
    const before = await snapshot(platform.environmentCpu());
    const start = performance.now();
    markWindow("start");
    await offer(platform.ingestUrl, platform.apiKey, measured.map((e) => e.line));
    const loadedAll = await inLake(platform, pool.length);
    const wallMs = performance.now() - start;
    markWindow("end");
    const after = await snapshot(platform.environmentCpu());
    const batches = platform.mapping.counters.batchesInvoked - batchesBefore;

    const events = measured.length;
    const per = (micros: number) => format(micros / events, 0);
    const environments = after.environments.map((e) => {
      const was = before.environments.find((b) => b.name === e.name)?.cpuMicros ?? 0;
      return `${e.name} ${per(e.cpuMicros - was)}`;
    });
    const main = after.mainMicros - before.mainMicros;
    const total = after.processMicros - before.processMicros;
    console.log(
      `pipeline CPU per event POST → lake (mapping reads ${reads}, ${format(RATE)} events/s offered for ${format(SECONDS - 1)} s, ${format(events)} events, ` +
        `${loadedAll ? `all in the lake in ${format(wallMs / 1000, 1)} s` : "NOT all in the lake"}, ${format(batches)} transformer batches): ${per(total)} µs ` +
        `(kernel ${per(after.processSystemMicros - before.processSystemMicros)}; main thread ${per(main)}, kernel ${per(after.mainSystemMicros - before.mainSystemMicros)}; ${environments.join(", ")}, other threads ${per(total - main - sumEnv(after) + sumEnv(before))}); ` +
        `main thread busy ${format((100 * main) / (wallMs * 1000), 0)}% of the wall time`,
    );
    const threads = [...after.byThreadName]
      .map(([name, micros]) => [name, micros - (before.byThreadName.get(name) ?? 0)] as const)
      .filter(([, micros]) => micros > 0)
      .sort((a, b) => b[1] - a[1]);
    if (threads.length > 0) console.log(`  by thread name (µs per event): ${threads.map(([name, micros]) => `${name} ${per(micros)}`).join(", ")}`);
  } finally {
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/**
 * With FRESHET_BENCH_MARK set, the measured window's bounds on stderr in the monotonic µs a
 * `--cpu-prof` profile's sample times use, so a profile can be cut to the window.
 */
function markWindow(edge: "start" | "end"): void {
  if (process.env.FRESHET_BENCH_MARK) console.error(`window ${edge} ${process.hrtime.bigint() / 1000n}`);
}

function sumEnv(s: CpuSnapshot): number {
  return s.environments.reduce((sum, e) => sum + e.cpuMicros, 0);
}

async function snapshot(environments: Promise<EnvironmentCpu[]>): Promise<CpuSnapshot> {
  const envs = await environments;
  const all = process.cpuUsage();
  const main = process.threadCpuUsage();
  return {
    processMicros: all.user + all.system,
    processSystemMicros: all.system,
    mainMicros: main.user + main.system,
    mainSystemMicros: main.system,
    environments: envs,
    byThreadName: threadsByName(),
  };
}

/** CPU µs per thread name from /proc (empty where there is none). */
function threadsByName(): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return byName;
  }
  const ticks = 1_000_000 / 100; // USER_HZ is 100 on Linux
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\d+$/, "").trim();
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const micros = (Number(fields[11]) + Number(fields[12])) * ticks;
      byName.set(name, (byName.get(name) ?? 0) + micros);
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

/** `lines` at RATE a second, in PER_REQUEST-line POSTs paced per tick. */
async function offer(url: string, apiKey: string, lines: readonly string[]): Promise<void> {
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  const posts: Promise<number>[] = [];
  for (let i = 0; i < lines.length; i += perTick) {
    const tick = sleep(TICK_MS);
    for (let j = i; j < Math.min(i + perTick, lines.length); j += PER_REQUEST) {
      posts.push(sendEvents(url, apiKey, lines.slice(j, Math.min(j + PER_REQUEST, i + perTick, lines.length))));
    }
    await tick;
  }
  await Promise.all(posts);
}

/** Whether the transformer's receipts account for `expected` events before the deadline. */
async function inLake(platform: Platform, expected: number): Promise<boolean> {
  const deadline = performance.now() + DRAIN_DEADLINE_MS;
  for (;;) {
    if (platform.counts().received >= expected) return true;
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
}
