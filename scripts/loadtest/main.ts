import { format } from "../bench/measure.ts";
import { percentile } from "../shared/percentile.ts";
import { startPipelinePlatform } from "../shared/pipeline-platform.ts";
import { parseLoadtestArgs, USAGE, type LoadtestOptions } from "./args.ts";
import { CpuSampler, cpuShares, formatShare } from "./cpu.ts";
import { LoadtestUsageError } from "./errors.ts";
import { formatStatements, sampleLoadStatements, type LoadStatementsSample } from "./load-statements.ts";
import { LagProbes } from "./probes.ts";
import { reconcile } from "./reconcile.ts";
import { buildReport, type LoadtestReport } from "./report.ts";
import { MemorySampler } from "./sampler.ts";
import { emptyTotals, offerTraffic, type TrafficTotals } from "./traffic.ts";
import { rowsBySeed, settledAudit, waitForRows } from "./warehouse-check.ts";

/**
 * `npm run loadtest -- --rate N --duration S [--burst]`: the local pipeline under steady (and
 * bursty) traffic, checked end to end: every valid event exactly once in `events`, the audit
 * balanced against what was accepted, POST → row lag, memory of every process over time.
 * Progress on stderr; the last line on stdout is the JSON report (see loadtest/report.ts).
 */
const PROGRESS_MS = 5000;
/** After everything is a row (or the drain gave up), how long the audit gets to settle. */
const AUDIT_SETTLE_MS = 30_000;

let options: LoadtestOptions | "help";
try {
  options = parseLoadtestArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof LoadtestUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options === "help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const report = await loadtest(options);
for (const reason of report.failures) process.stderr.write(`loadtest: ✗ ${reason}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exitCode = report.failures.length > 0 ? 1 : 0;

async function loadtest(options: LoadtestOptions): Promise<LoadtestReport> {
  const log = (line: string) => process.stderr.write(`loadtest: ${line}\n`);
  log(`starting the platform (Load every second); ${format(options.rate)} events/s for ${format(options.durationS)} s${options.burst ? ", bursts of 3× for 10 s" : ""}`);
  const pipeline = await startPipelinePlatform("freshet-loadtest-");
  const sampler = new MemorySampler(() => pipeline.platform.environmentHeaps());
  const cpu = new CpuSampler(() => pipeline.platform.environmentCpu(), PROGRESS_MS);
  let phase: "sending" | "draining" | "done" = "sending";
  let progress: NodeJS.Timeout | undefined;
  let earlyTimer: NodeJS.Timeout | undefined;
  try {
    const { platform, rows, redshift } = pipeline;
    const probes = new LagProbes();
    const totals = emptyTotals();
    const startedAt = performance.now();
    sampler.start(startedAt);
    cpu.start(startedAt);
    progress = startProgress(log, totals, () => platform.counts().received, probes, sampler, cpu, startedAt, () => phase);
    const watching = probes.watch(rows, () => phase === "done" || (phase === "draining" && probes.outstanding === 0));
    // The load transaction's slowest statements a quarter into the sending and at its end: which grew.
    let early: Promise<LoadStatementsSample> = Promise.resolve({ loads: 0, slowest: [] });
    earlyTimer = setTimeout(() => (early = sampleLoadStatements(redshift)), (options.durationS * 1000) / 4);

    await offerTraffic({ ingestUrl: platform.ingestUrl, apiKey: platform.apiKey, options, startedAt, onProbe: (id, at) => probes.posted(id, at) }, totals);
    const sendMs = performance.now() - startedAt;
    phase = "draining";
    clearTimeout(earlyTimer);
    const loadStatements = { early: await early, late: await sampleLoadStatements(redshift) };
    log(`load transaction, slowest statements a quarter into the sending: ${formatStatements(loadStatements.early)}`);
    log(`… and at its end: ${formatStatements(loadStatements.late)}`);
    const expected = [...totals.oracle.validBySeed.values()].reduce((n, v) => n + v, 0);
    log(`sent: ${format(totals.offered)} offered, ${format(totals.accepted)} accepted in ${format(sendMs / 1000, 1)} s; waiting for ${format(expected)} valid events to be rows`);
    const loadedAt = await waitForRows(rows, expected, performance.now() + options.drainS * 1000, () => undefined);
    phase = "done";
    await watching;
    clearInterval(progress);

    const reconciled = reconcile(totals.oracle.validBySeed, await rowsBySeed(rows));
    log(`events: ${format(reconciled.loaded)} loaded, ${format(reconciled.lost)} lost, ${format(reconciled.duplicated)} duplicated; reading the audit`);
    const audit = await settledAudit(redshift, totals, performance.now() + AUDIT_SETTLE_MS);
    await sampler.stop();
    await cpu.stop();
    const result = buildReport({
      options,
      traffic: { scheduled: totals.scheduled, offered: totals.offered, accepted: totals.accepted, rejected: totals.rejected },
      sendMs,
      allLoadedMs: loadedAt === undefined ? undefined : loadedAt - startedAt,
      reconciled,
      lagsMs: probes.lagsMs,
      probesMissing: probes.outstanding,
      samples: sampler.samples,
      cpu: cpuShares(cpu.samples),
      loadStatements,
      audit,
    });
    const { firstQuarter, lastQuarter } = result.cpu;
    if (firstQuarter && lastQuarter) log(`CPU while sending, first quarter ${formatShare(firstQuarter)}; last quarter ${formatShare(lastQuarter)}`);
    log(
      `${format(result.eventsPerSecond)} events/s POST → row, accepted ${format(result.acceptedPerSecond)}/s, lag p50 ${lag(result.p50LagMs)} p95 ${lag(result.p95LagMs)} ` +
        `(goal < 2,000 ms) ${result.p95LagMs !== null && result.p95LagMs < 2000 ? "✓" : "✗"}, peak RSS ${format(result.peakRssMb)} MB, audit ${audit.balanced && audit.matchesOracle ? "balanced" : "NOT balanced"}`,
    );
    return result;
  } finally {
    phase = "done";
    clearInterval(progress);
    clearTimeout(earlyTimer);
    await sampler.stop();
    await cpu.stop();
    await pipeline.close().catch((error: unknown) => log(`stopping the platform: ${(error as Error).message}`));
  }
}

/** ", CPU 1.84 cores: …" over the last interval sampled; empty before there are two samples. */
function lastCpu(cpu: CpuSampler): string {
  const share = cpuShares(cpu.samples.slice(-2))[0];
  return share === undefined ? "" : `, CPU ${formatShare(share)}`;
}

function lag(ms: number | null): string {
  return ms === null ? "not all found" : `${format(ms)} ms`;
}

/** A line on stderr every few seconds: rates over the last interval, the lag so far, memory, where the CPU went. */
function startProgress(
  log: (line: string) => void,
  totals: TrafficTotals,
  transformed: () => number,
  probes: LagProbes,
  sampler: MemorySampler,
  cpu: CpuSampler,
  startedAt: number,
  phase: () => string,
): NodeJS.Timeout {
  let last = { at: startedAt, offered: 0, accepted: 0 };
  return setInterval(() => {
    const now = performance.now();
    const seconds = (now - last.at) / 1000;
    const sample = sampler.samples[sampler.samples.length - 1];
    log(
      `${format((now - startedAt) / 1000)} s ${phase()}: offered ${format((totals.offered - last.offered) / seconds)}/s, accepted ${format((totals.accepted - last.accepted) / seconds)}/s, ` +
        `through the transformer ${format(transformed())} of ${format(totals.accepted)}, ` +
        `lag p95 ${probes.lagsMs.length > 0 ? `${format(percentile(probes.lagsMs, 0.95))} ms` : "–"} (${probes.outstanding} probes out), ` +
        `RSS ${(sample?.processes ?? []).map((p) => `${p.name} ${format(p.rssMb)} MB`).join(", ")}, ` +
        `heap ${(sample?.threads ?? []).map((t) => `${t.name} ${format(t.heapUsedMb)} MB`).join(", ")}` +
        lastCpu(cpu),
    );
    last = { at: now, offered: totals.offered, accepted: totals.accepted };
  }, PROGRESS_MS);
}
