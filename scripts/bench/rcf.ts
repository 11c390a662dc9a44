import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { RandomCutForest, Shingle } from "@freshet/core";
import { Xoshiro128 } from "../../packages/core/src/anomaly/rcf/random.ts";
import { againstGoal, compareOpsPerSecond, format } from "./measure.ts";
import { ObjectForest } from "./rcf-objects.ts";

const TREES = 100;
const SAMPLES = 256;
const SHINGLE = 4;
const WARM = 5000;
const BATCH = 200;
const GOAL = { op: ">", limit: 20_000, unit: "points/s" } as const;

export interface RcfBench {
  readonly pointsPerSecond: number;
  readonly objectPointsPerSecond: number;
  /** The same per second of this process's CPU time: one core's rate, whatever else runs here. */
  readonly pointsPerCpuSecond: number;
  readonly objectPointsPerCpuSecond: number;
  readonly ratio: number;
  readonly stateBytes: number;
  readonly heapBytes: number;
  readonly objectHeapBytes: number;
}

/**
 * Core's Random Cut Forest, streaming score-then-update over a shingled 1-d series (100 trees ×
 * 256 samples, shingle 4), side by side with the same algorithm written one object per node;
 * then bytes per forest: its JSON state and the heap each layout holds once warm.
 */
export async function benchRcf(): Promise<RcfBench> {
  console.log(`\nRandom Cut Forest (${TREES} trees × ${SAMPLES} samples, shingle ${SHINGLE}: score then update per point)`);
  const points = seriesPoints(WARM + 50_000);
  const [forest, heapBytes] = measureHeap(() => {
    const f = new RandomCutForest({ dimensions: SHINGLE, numberOfTrees: TREES, sampleSize: SAMPLES, seed: 1 });
    for (const point of points.slice(0, WARM)) f.update(point);
    return f;
  });
  const [objects, objectHeapBytes] = measureHeap(() => {
    const f = new ObjectForest(TREES, SAMPLES, 1);
    for (const point of points.slice(0, WARM)) f.update(point);
    return f;
  });
  let at = WARM;
  let objectAt = WARM;
  // Each call streams the next BATCH points (wrapping round), so both see the same series.
  const typed = (): void => {
    for (let i = 0; i < BATCH; i++, at = at + 1 < points.length ? at + 1 : WARM) {
      forest.score(points[at]!);
      forest.update(points[at]!);
    }
  };
  const naive = (): void => {
    for (let i = 0; i < BATCH; i++, objectAt = objectAt + 1 < points.length ? objectAt + 1 : WARM) {
      objects.score(points[objectAt]!);
      objects.update(points[objectAt]!);
    }
  };
  const [typedRate = 0, naiveRate = 0] = await compareOpsPerSecond([typed, naive], 4000, 250);
  // This machine is shared: wall-clock rates move with the neighbours' load, CPU time much less.
  const [typedCpu = 0, naiveCpu = 0] = compareCpuRates([typed, naive], 20);
  const stateBytes = Buffer.byteLength(JSON.stringify(forest.toJSON()));
  const result: RcfBench = {
    pointsPerSecond: typedRate * BATCH,
    objectPointsPerSecond: naiveRate * BATCH,
    pointsPerCpuSecond: typedCpu * BATCH,
    objectPointsPerCpuSecond: naiveCpu * BATCH,
    ratio: typedRate / naiveRate,
    stateBytes,
    heapBytes,
    objectHeapBytes,
  };
  console.log(`  object per node (bench reference)   ${format(result.objectPointsPerSecond)} points/s   (${format(result.objectPointsPerCpuSecond)} per CPU-second)`);
  console.log(`  typed arrays (core)                 ${againstGoal(result.pointsPerSecond, GOAL)}   (${format(result.pointsPerCpuSecond)} per CPU-second)   ratio ${format(result.ratio, 2)}`);
  console.log(`  load average ${loadavg().map((load) => format(load, 1)).join(" ")}: per CPU-second counts all of node's threads (compiler, GC) but not the waits for a core`);
  console.log(`  bytes per forest: JSON state ${format(stateBytes / 1e6, 2)} MB; heap ${format(heapBytes / 1e6, 2)} MB typed arrays vs ${format(objectHeapBytes / 1e6, 2)} MB objects`);
  return result;
}

/** Calls per CPU-second of each function, in alternating slices of `rounds` calls; the median slice of each. */
function compareCpuRates(fns: readonly (() => void)[], rounds: number): number[] {
  const rates: number[][] = fns.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, fn] of fns.entries()) {
      const start = process.cpuUsage();
      for (let call = 0; call < 5; call++) fn();
      const { user, system } = process.cpuUsage(start);
      rates[i]!.push(5 / ((user + system) / 1e6));
    }
  }
  return rates.map((slices) => slices.sort((a, b) => a - b)[Math.floor(slices.length / 2)]!);
}

/** A per-minute metric: a daily-like wave with noise, shingled. */
function seriesPoints(length: number): number[][] {
  const random = Xoshiro128.fromSeed(9);
  const shingle = new Shingle(SHINGLE);
  const points: number[][] = [];
  for (let i = 0; i < length + SHINGLE; i++) {
    const noise = Math.sqrt(-2 * Math.log(random.nextOpen())) * Math.cos(2 * Math.PI * random.nextOpen());
    const point = shingle.push(100 + 30 * Math.sin((2 * Math.PI * i) / 1440) + 5 * noise);
    if (point) points.push(point);
  }
  return points.slice(0, length);
}

/** What `build`'s result keeps in memory: growth of the JS heap plus array buffers, after full collections. */
function measureHeap<T>(build: () => T): [T, number] {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const used = (): number => {
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = used();
  const value = build();
  return [value, used() - before];
}
