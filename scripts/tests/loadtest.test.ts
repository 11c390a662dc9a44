import { describe, expect, it } from "vitest";
import { parseLoadtestArgs } from "../loadtest/args.ts";
import { cpuShares, formatShare, meanShare, taskCpuMicros, threadCpuByPart, type CpuSample } from "../loadtest/cpu.ts";
import { LoadtestUsageError } from "../loadtest/errors.ts";
import { formatStatements, slowestStatements } from "../loadtest/load-statements.ts";
import { reconcile } from "../loadtest/reconcile.ts";
import { buildReport, downsample, type AuditSummary, type ReportInput } from "../loadtest/report.ts";
import { GROWTH_TOLERANCE, keepsGrowing, parentPid, vmRssMb, type MemoryPoint, type MemorySample } from "../loadtest/sampler.ts";
import { BURST_FACTOR, BURST_MS, rateAt } from "../loadtest/schedule.ts";
import { percentile } from "../shared/percentile.ts";

describe("loadtest arguments", () => {
  it("reads the rate, duration, burst and warm-up", () => {
    expect(parseLoadtestArgs(["--rate", "2000", "--duration", "60", "--burst", "--warmup", "10", "--drain", "300"])).toEqual({
      rate: 2000,
      durationS: 60,
      burst: true,
      warmupS: 10,
      drainS: 300,
    });
  });

  it("defaults to the goal (10,000 events/s for 5 minutes) with a warm-up of a quarter of the run, at most a minute", () => {
    expect(parseLoadtestArgs([])).toEqual({ rate: 10_000, durationS: 300, burst: false, warmupS: 60, drainS: 120 });
    expect(parseLoadtestArgs(["--duration", "60"])).toMatchObject({ warmupS: 15 });
  });

  it("answers help", () => {
    expect(parseLoadtestArgs(["--help"])).toBe("help");
  });

  it.each([
    [["--rate", "0"]],
    [["--rate", "-5"]],
    [["--rate", "fast"]],
    [["--duration", ""]],
    [["--rate"]],
    [["--speed", "3"]],
    [["60"]],
    [["--duration", "60", "--warmup", "60"]],
    [["--drain", "0"]],
  ])("refuses %j with a usage error", (argv) => {
    expect(() => parseLoadtestArgs(argv)).toThrow(LoadtestUsageError);
  });

  it("keeps the parser's error as the cause", () => {
    const error = (() => {
      try {
        parseLoadtestArgs(["--speed", "3"]);
      } catch (e) {
        return e as LoadtestUsageError;
      }
    })();
    expect(error?.name).toBe("LoadtestUsageError");
    expect(error?.cause).toBeInstanceOf(Error);
  });
});

describe("loadtest errors", () => {
  it("LoadtestUsageError is named and keeps its cause", () => {
    const cause = new Error("underneath");
    const error = new LoadtestUsageError("message", { cause });
    expect(error.name).toBe("LoadtestUsageError");
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });
});

describe("percentile", () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

  it("is the nearest rank: the smallest value with at least p of them at or below it", () => {
    for (const p of [0.1, 0.5, 0.95, 1]) {
      const v = percentile(values, p);
      expect(values.filter((x) => x <= v).length / values.length).toBeGreaterThanOrEqual(p);
      expect(values.filter((x) => x < v).length / values.length).toBeLessThan(p);
    }
  });

  it("is the smallest value at 0, NaN for no values, and keeps a never-found probe as the slowest", () => {
    expect(percentile(values, 0)).toBe(Math.min(...values));
    expect(percentile([], 0.5)).toBeNaN();
    expect(percentile([...values, Number.POSITIVE_INFINITY], 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("the burst schedule", () => {
  const steady = { rate: 1000, durationS: 300, burst: false };
  const bursty = { ...steady, burst: true };

  it("offers the rate throughout without --burst", () => {
    for (let t = 0; t < 300_000; t += 1000) expect(rateAt(steady, t)).toBe(1000);
  });

  it("offers 3× the rate for 10 s from 30 s, then every minute", () => {
    const burstMs = (from: number, to: number) => {
      let ms = 0;
      for (let t = from; t < to; t += 100) if (rateAt(bursty, t) === 1000 * BURST_FACTOR) ms += 100;
      return ms;
    };
    expect(burstMs(0, 30_000)).toBe(0);
    expect(burstMs(30_000, 90_000)).toBe(BURST_MS);
    expect(burstMs(90_000, 150_000)).toBe(BURST_MS);
    expect(rateAt(bursty, 30_000)).toBe(3000);
    expect(rateAt(bursty, 40_000)).toBe(1000);
  });

  it("puts a short run's burst in its middle", () => {
    const short = { rate: 100, durationS: 20, burst: true };
    expect(rateAt(short, 4_900)).toBe(100);
    expect(rateAt(short, 5_000)).toBe(300);
    expect(rateAt(short, 14_900)).toBe(300);
    expect(rateAt(short, 15_000)).toBe(100);
  });
});

describe("memory", () => {
  const everySecond = (seconds: number, mb: (s: number) => number): MemoryPoint[] => Array.from({ length: seconds }, (_, s) => ({ atMs: s * 1000, mb: mb(s) }));

  it("keeps growing: a leak past the warm-up", () => {
    expect(keepsGrowing(everySecond(300, (s) => 400 + s * 2), 60_000)).toBe(true);
  });

  it("does not keep growing: garbage-collection sawtooth, or a rise during the warm-up then a level", () => {
    expect(keepsGrowing(everySecond(300, (s) => 600 + (s % 20) * 10), 60_000)).toBe(false);
    expect(keepsGrowing(everySecond(300, (s) => (s < 60 ? 300 + s * 10 : 900)), 60_000)).toBe(false);
  });

  it("tolerates wandering within the tolerance, not beyond it", () => {
    const step = (rise: number) => everySecond(100, (s) => (s < 50 ? 1000 : 1000 + rise));
    const allowed = Math.max(GROWTH_TOLERANCE.mb, GROWTH_TOLERANCE.share * 1000);
    expect(keepsGrowing(step(allowed - 1), 0)).toBe(false);
    expect(keepsGrowing(step(allowed + 1), 0)).toBe(true);
  });

  it("cannot tell from fewer than 4 samples past the warm-up", () => {
    expect(keepsGrowing(everySecond(10, (s) => 100 + s * 1000), 7_000)).toBe(false);
  });

  it("reads VmRSS and the parent pid from /proc", () => {
    expect(vmRssMb("Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t  204800 kB\nVmData:\t 1 kB\n")).toBe(200);
    expect(vmRssMb("Name:\tkworker\n")).toBeUndefined();
    expect(parentPid("4242 (odd) (name) S 17 4242 4242 0 -1")).toBe(17);
  });

  it("downsamples to at most the count asked, first and last kept", () => {
    const points = Array.from({ length: 301 }, (_, i) => i);
    const kept = downsample(points, 60);
    expect(kept).toHaveLength(60);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(300);
    expect(downsample([1, 2, 3], 60)).toEqual([1, 2, 3]);
  });
});

describe("reconcile", () => {
  it("counts each expected valid event once, what is missing as lost, extra rows as duplicates", () => {
    const expected = new Map([
      ["1000", 10],
      ["1001", 5],
      ["1002", 3],
    ]);
    const found = [
      { seed: "1000", rows: 12, distinct: 10 },
      { seed: "1001", rows: 4, distinct: 4 },
    ];
    expect(reconcile(expected, found)).toEqual({ loaded: 14, lost: 1 + 3, duplicated: 2, unexpected: 0 });
  });

  it("reports rows of events never accepted as unexpected", () => {
    const r = reconcile(new Map([["1000", 2]]), [
      { seed: "1000", rows: 3, distinct: 3 },
      { seed: "7", rows: 1, distinct: 1 },
    ]);
    expect(r).toMatchObject({ loaded: 2, lost: 0, unexpected: 2 });
  });
});

describe("the loadtest report", () => {
  const audit: AuditSummary = { balanced: true, matchesOracle: true, windows: 1, received: 1000, loaded: 760, duplicates: 40, filtered: 100, deadLettered: 60, inFlight: 0 };
  const samples = (mb: (s: number) => number, thread: (s: number) => number = () => 30): MemorySample[] =>
    Array.from({ length: 60 }, (_, s) => ({
      atMs: s * 1000,
      processes: [
        { pid: 1, name: "main", rssMb: mb(s), heapUsedMb: 100 + s },
        { pid: 2, name: "child", rssMb: 50 },
      ],
      threads: [{ name: "transformer 1", heapUsedMb: thread(s) }],
    }));
  const input = (over: Partial<ReportInput> = {}): ReportInput => ({
    options: { rate: 100, durationS: 10, burst: false, warmupS: 2, drainS: 120 },
    traffic: { scheduled: 1000, offered: 1000, accepted: 1000, rejected: 0 },
    sendMs: 10_000,
    allLoadedMs: 12_500,
    reconciled: { loaded: 760, lost: 0, duplicated: 0, unexpected: 0 },
    lagsMs: Array.from({ length: 100 }, (_, i) => 500 + i * 10),
    probesMissing: 0,
    samples: samples(() => 400),
    cpu: [],
    loadStatements: { early: { loads: 0, slowest: [] }, late: { loads: 0, slowest: [] } },
    audit,
    ...over,
  });

  it("has what scripts read, as one JSON object, and passes a clean run", () => {
    const line = JSON.stringify(buildReport(input()));
    expect(line).not.toContain("\n");
    const report = JSON.parse(line) as Record<string, unknown>;
    for (const key of ["offered", "accepted", "loaded", "lost", "duplicated", "eventsPerSecond", "p50LagMs", "p95LagMs", "peakRssMb"]) {
      expect(typeof report[key], key).toBe("number");
    }
    expect(report).toMatchObject({ offered: 1000, accepted: 1000, loaded: 760, lost: 0, duplicated: 0, failures: [] });
    expect(report.eventsPerSecond).toBe(Math.round(1000 / 12.5));
    expect(report.acceptedPerSecond).toBe(100);
    expect(report.peakRssMb).toBe(450);
    expect(report.p95LagMs).toBe(percentile(input().lagsMs, 0.95));
    expect(report.memory).toEqual([
      expect.objectContaining({ name: "main", peakMb: 400, peakHeapMb: 159, lastHeapMb: 159, growing: false }),
      expect.objectContaining({ name: "child", peakMb: 50 }),
    ]);
    expect((report.memory as object[])[1]).not.toHaveProperty("peakHeapMb");
    expect(report.threads).toEqual([expect.objectContaining({ name: "transformer 1", peakHeapMb: 30, growing: false })]);
  });

  it("fails a run that lost, duplicated, was refused, or whose audit does not add up; claims no rate with events missing", () => {
    const report = buildReport(
      input({
        traffic: { scheduled: 1000, offered: 1000, accepted: 990, rejected: 10 },
        reconciled: { loaded: 750, lost: 10, duplicated: 3, unexpected: 0 },
        allLoadedMs: undefined,
        audit: { ...audit, balanced: false, matchesOracle: false },
      }),
    );
    expect(report.eventsPerSecond).toBe(0);
    expect(report.drainMs).toBeNull();
    expect(report.failures).toHaveLength(5);
  });

  it("fails a run whose memory keeps growing after the warm-up and names the process", () => {
    const report = buildReport(input({ samples: samples((s) => 300 + s * 20) }));
    expect(report.memoryGrowing).toBe(true);
    expect(report.failures.join()).toContain("main (1)");
  });

  it("holds each worker thread's heap to the same rule", () => {
    const report = buildReport(input({ samples: samples(() => 400, (s) => 30 + s * 10) }));
    expect(report.threads).toEqual([expect.objectContaining({ name: "transformer 1", growing: true })]);
    expect(report.memoryGrowing).toBe(true);
    expect(report.failures.join()).toContain("transformer 1");
  });

  it("reports a lag percentile that falls on a probe never found as null, not a number", () => {
    const report = buildReport(input({ lagsMs: [100, 200], probesMissing: 8 }));
    expect(report.p50LagMs).toBeNull();
    expect(report.p95LagMs).toBeNull();
    expect(report.probes).toBe(10);
  });

  it("reports the first and the last quarter of the sending, and the shares over time", () => {
    const shares = cpuShares(Array.from({ length: 11 }, (_, i): CpuSample => ({ atMs: i * 1000, processMicros: i * 1_500_000, byPart: { pool: i * i * 50_000, main: i * 500_000 } })));
    const report = buildReport(input({ cpu: shares }));
    expect(report.cpu.firstQuarter).toEqual({ cores: 1.5, byPart: { pool: 0.1, main: 0.5 } });
    expect(report.cpu.lastQuarter).toEqual({ cores: 1.5, byPart: { pool: 0.85, main: 0.5 } });
    expect(report.cpu.overTime[0]).toEqual([1, 1.5, { pool: 0.05, main: 0.5 }]);
    expect(buildReport(input()).cpu).toEqual({ firstQuarter: null, lastQuarter: null, overTime: [] });
  });
});

describe("where the CPU went", () => {
  it("reads a thread's user + system time from its /proc stat, whatever its name holds", () => {
    // utime 250 and stime 50 ticks of 1/100 s: 3 s.
    const stat = "4242 (lib uv) x) S 1 4242 4242 0 -1 4194368 100 0 0 0 250 50 0 0 20 0 1 0 123 1000 200";
    expect(taskCpuMicros(stat)).toBe(3_000_000);
    expect(taskCpuMicros("")).toBeUndefined();
  });

  it("groups this process's threads by part and leaves the functions' threads to themselves", () => {
    const parts = threadCpuByPart();
    if (process.platform !== "linux") return expect(parts).toEqual({});
    expect(parts.main).toBeGreaterThan(0);
    expect(Object.keys(parts).every((p) => ["main", "pool", "v8", "other"].includes(p))).toBe(true);
  });

  const sample = (atMs: number, processMicros: number, byPart: Record<string, number>): CpuSample => ({ atMs, processMicros, byPart });

  it("turns cumulative CPU time into cores per interval, per part", () => {
    const shares = cpuShares([
      sample(0, 0, { main: 0, pool: 0, "transformer 1": 0 }),
      sample(5000, 8_000_000, { main: 2_500_000, pool: 1_000_000, "transformer 1": 4_000_000 }),
      // The pool took over from the transformer; an environment started meanwhile counts from its first sample.
      sample(10_000, 17_000_000, { main: 5_000_000, pool: 5_000_000, "transformer 1": 5_000_000, "triage 1": 900_000 }),
    ]);
    expect(shares).toEqual([
      { atMs: 5000, cores: 1.6, byPart: { main: 0.5, pool: 0.2, "transformer 1": 0.8 } },
      { atMs: 10_000, cores: 1.8, byPart: { main: 0.5, pool: 0.8, "transformer 1": 0.2, "triage 1": 0 } },
    ]);
    const mean = meanShare(shares, 0, 10_000)!;
    expect(mean.cores).toBeCloseTo(1.7, 9);
    expect(Object.entries(mean.byPart).map(([part, cores]) => [part, Math.round(cores * 1000) / 1000])).toEqual([["main", 0.5], ["pool", 0.5], ["transformer 1", 0.5], ["triage 1", 0]]);
    expect(meanShare(shares, 5000, 10_000)?.byPart.pool).toBe(0.8);
    expect(meanShare(shares, 10_000, 20_000)).toBeUndefined();
    expect(formatShare(shares[1]!)).toBe("1.80 cores: pool 0.80, main 0.50, transformer 1 0.20");
  });
});

describe("the load transaction's slowest statements", () => {
  const batch = (...statements: [string, number][]) => ({ SubStatements: statements.map(([QueryString, ms]) => ({ Id: "x", QueryString, Duration: ms * 1e6 })) });

  it("averages each statement over the loads that ran it, names it without its literals, slowest first", () => {
    const loads = [
      batch(["UPDATE load_lock SET load_id = 'load-aaa' WHERE lock_name = 'load'", 1], ["INSERT INTO events (event_id)\nSELECT 1", 10], ["INSERT INTO attribution_credits (purchase_id)\n  SELECT 2", 200]),
      batch(["UPDATE load_lock SET load_id = 'load-bbb' WHERE lock_name = 'load'", 3], ["INSERT INTO events (event_id)\nSELECT 1", 20], ["INSERT INTO attribution_credits (purchase_id)\n  SELECT 2", 300]),
      // A receipts-only load: no insert into events, its statements counted over it alone.
      batch(["UPDATE load_lock SET load_id = 'load-ccc' WHERE lock_name = 'load'", 5], ["INSERT INTO batch_receipts (batch_id) VALUES ('it''s')", 7]),
    ];
    expect(slowestStatements(loads)).toEqual([
      ["INSERT INTO attribution_credits (purchase_id) SELECT 2", 250],
      ["INSERT INTO events (event_id) SELECT 1", 15],
      ["INSERT INTO batch_receipts (batch_id) VALUES ('…')", 7],
      ["UPDATE load_lock SET load_id = '…' WHERE lock_name = '…'", 3],
    ]);
    expect(formatStatements({ loads: 3, slowest: slowestStatements(loads).slice(0, 1) })).toBe("over 3 loads: 250 ms INSERT INTO attribution_credits (purchase_id) SELECT 2…");
    expect(formatStatements({ loads: 0, slowest: [] })).toBe("no load yet");
    expect(formatStatements({ loads: 0, slowest: [], error: "ValidationException: no" })).toBe("not read (ValidationException: no)");
  });
});
