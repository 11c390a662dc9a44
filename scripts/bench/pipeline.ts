import { setTimeout as sleep } from "node:timers/promises";
import { generateEvents, sendEvents, type GeneratedEvent, type Platform } from "@freshet/local";
import { percentile } from "../shared/percentile.ts";
import { loadedAmong, startPipelinePlatform, type PipelinePlatform, type Rows } from "../shared/pipeline-platform.ts";
import { format } from "./measure.ts";

const LATENCY_GOAL_MS = 2000;
const THROUGHPUT_GOAL = 10_000;
const PROBES = 120;
/** Probes are spread over this long while background traffic flows. */
const PROBE_SPREAD_MS = 20_000;
const BACKGROUND_PER_SECOND = 2000;
const BACKGROUND_TICK_MS = 100;
/** How often outstanding probes are looked for in `events`: the latency's resolution. */
const PROBE_POLL_MS = 100;
/** The sustained run offers the goal rate for this long, paced in ticks, then waits for the loads. */
const SUSTAINED_MS = 15_000;
const SUSTAINED_TICK_MS = 100;
const PER_REQUEST = 500;
/** How long the bench waits for probes, then for the sustained run, to be loaded (keeps it near 2 minutes). */
const PROBE_DEADLINE_MS = 20_000;
const DRAIN_DEADLINE_MS = 45_000;

/**
 * The whole local pipeline (HTTP → ingest → Kinesis → transformer → lake → Load every second →
 * DuckDB-backed Data API), measured on one platform: POST → row queryable latency of probe events
 * amid background traffic, then sustained events/s with every valid event loaded exactly once.
 */
export async function benchPipeline(): Promise<void> {
  let pipeline: PipelinePlatform | undefined;
  try {
    pipeline = await startPipelinePlatform("freshet-bench-pipeline-");
    const { platform, rows } = pipeline;
    const sent: GeneratedEvent[] = [];

    const { latencies, missing } = await measureLatency(platform, rows, sent);
    // A probe never found counts as slower than any found: the percentiles stay honest.
    const all = [...latencies, ...Array.from({ length: missing }, () => Number.POSITIVE_INFINITY)];
    const p50 = percentile(all, 0.5);
    const p95 = percentile(all, 0.95);
    const ms = (v: number) => (Number.isFinite(v) ? `${format(v)} ms` : `> ${format(PROBE_DEADLINE_MS / 1000)} s`);
    console.log(
      `pipeline latency POST → row queryable (Load every 1 s, ${PROBES} probes amid ${format(BACKGROUND_PER_SECOND)} events/s` +
        `${missing > 0 ? `, ${missing} not loaded ${format(PROBE_DEADLINE_MS / 1000)} s after the last probe` : ""}): ` +
        `p50 ${ms(p50)}, p95 ${ms(p95)} (goal p95 < ${format(LATENCY_GOAL_MS)} ms) ${p95 < LATENCY_GOAL_MS ? "✓" : "✗"}`,
    );

    const sustained = await measureThroughput(platform, rows, sent);
    const checks = await verify(rows, sent);
    const ok = sustained.perSecond >= THROUGHPUT_GOAL && checks.ok;
    const outcome =
      sustained.missing === 0
        ? `all loaded ${format(sustained.drainMs / 1000, 1)} s after the last POST: ${format(sustained.perSecond)} events/s POST → row`
        : `${format(sustained.missing)} valid events still not loaded ${format(sustained.drainMs / 1000, 1)} s after the last POST: no rate`;
    console.log(
      `pipeline sustained (${format(THROUGHPUT_GOAL)} events/s offered for ${format(SUSTAINED_MS / 1000)} s): ${format(sustained.sent)} events accepted ` +
        `at ${format(sustained.ingestPerSecond)}/s, ${outcome} (goal ≥ ${format(THROUGHPUT_GOAL)}/s) ${ok ? "✓" : "✗"}`,
    );
    console.log(`pipeline checks: ${checks.lines.join("; ")} ${checks.ok ? "✓" : "✗"}`);
  } finally {
    await pipeline?.close();
  }
}

/** Probes are unique valid events sent one per request; each is timed until a query finds it. */
async function measureLatency(platform: Platform, rows: Rows, sent: GeneratedEvent[]): Promise<{ latencies: number[]; missing: number }> {
  const now = new Date();
  const seen = new Set<string>();
  const probes = generateEvents(PROBES * 3, now, 9001).filter((e) => {
    if (e.expected.kind !== "processed" || seen.has(e.expected.eventId)) return false;
    seen.add(e.expected.eventId);
    return true;
  });
  if (probes.length < PROBES) throw new Error(`only ${probes.length} probe events generated`);
  probes.length = PROBES;
  const background = generateEvents(Math.ceil((BACKGROUND_PER_SECOND * (PROBE_SPREAD_MS + 5_000)) / 1000), now, 9002);

  let stop = false;
  const backgroundDone = (async () => {
    const perTick = Math.round((BACKGROUND_PER_SECOND * BACKGROUND_TICK_MS) / 1000);
    for (let i = 0; !stop && i < background.length; i += perTick) {
      const chunk = background.slice(i, i + perTick);
      const tick = sleep(BACKGROUND_TICK_MS);
      await sendEvents(platform.ingestUrl, platform.apiKey, chunk.map((e) => e.line));
      sent.push(...chunk);
      await tick;
    }
  })();

  const postedAt = new Map<string, number>();
  const latencies: number[] = [];
  let sending = true;
  let watchUntil = Number.POSITIVE_INFINITY;
  const watcher = (async () => {
    while ((sending || postedAt.size > 0) && performance.now() < watchUntil) {
      if (postedAt.size > 0) {
        const found = await loadedAmong(rows, [...postedAt.keys()]);
        const at = performance.now();
        for (const id of found) {
          const start = postedAt.get(id);
          if (start === undefined) continue;
          latencies.push(at - start);
          postedAt.delete(id);
        }
      }
      await sleep(PROBE_POLL_MS);
    }
  })();

  const interval = PROBE_SPREAD_MS / PROBES;
  for (const probe of probes) {
    const tick = sleep(interval);
    const id = (probe.expected as { eventId: string }).eventId;
    const start = performance.now();
    // Recorded before the POST resolves: the row may be loaded before the response is read.
    postedAt.set(id, start);
    await sendEvents(platform.ingestUrl, platform.apiKey, [probe.line]);
    sent.push(probe);
    await tick;
  }
  sending = false;
  stop = true;
  watchUntil = performance.now() + PROBE_DEADLINE_MS;
  await Promise.all([watcher, backgroundDone]);
  return { latencies, missing: postedAt.size };
}

interface Throughput {
  readonly sent: number;
  readonly sendMs: number;
  /** From the last POST until every valid event was in `events` (or the wait gave up). */
  readonly drainMs: number;
  /** Events sent ÷ (first POST → last row loaded); 0 unless everything was loaded. */
  readonly perSecond: number;
  readonly ingestPerSecond: number;
  /** Valid events (of everything sent so far) not in `events` when the wait gave up; 0 when all loaded. */
  readonly missing: number;
}

/**
 * The goal rate offered for SUSTAINED_MS (PER_REQUEST-event POSTs, paced per tick; a tick whose
 * POSTs are still out when the next starts is not waited for), then until every valid event sent
 * so far is in `events`. A pipeline that keeps up loads the last events seconds after the last
 * POST; one that does not shows it as the time it needs to drain, and in the rate.
 */
async function measureThroughput(platform: Platform, rows: Rows, sent: GeneratedEvent[]): Promise<Throughput> {
  const perTick = Math.round((THROUGHPUT_GOAL * SUSTAINED_TICK_MS) / 1000);
  const pool = generateEvents(Math.ceil((THROUGHPUT_GOAL * SUSTAINED_MS) / 1000), new Date(), 9003);
  const posts: Promise<void>[] = [];
  let count = 0;
  const start = performance.now();
  for (let i = 0; i < pool.length; i += perTick) {
    const tick = sleep(SUSTAINED_TICK_MS);
    for (let j = i; j < Math.min(i + perTick, pool.length); j += PER_REQUEST) {
      const chunk = pool.slice(j, Math.min(j + PER_REQUEST, i + perTick, pool.length));
      posts.push(
        sendEvents(platform.ingestUrl, platform.apiKey, chunk.map((e) => e.line)).then((accepted) => {
          if (accepted !== chunk.length) throw new Error(`ingest accepted ${accepted} of ${chunk.length}`);
          sent.push(...chunk);
          count += chunk.length;
        }),
      );
    }
    await tick;
  }
  await Promise.all(posts);
  const sendMs = performance.now() - start;

  const expected = validIds(sent).size;
  const deadline = performance.now() + DRAIN_DEADLINE_MS;
  let loaded = 0;
  for (;;) {
    loaded = Number((await rows("SELECT COUNT(DISTINCT event_id) FROM events"))[0]?.[0]);
    if (loaded >= expected || performance.now() > deadline) break;
    await sleep(50);
  }
  const totalMs = performance.now() - start;
  const missing = Math.max(0, expected - loaded);
  // Not all loaded: no rate can be claimed for the whole pipeline.
  const perSecond = missing === 0 ? (count * 1000) / totalMs : 0;
  return { sent: count, sendMs, drainMs: totalMs - sendMs, perSecond, ingestPerSecond: (count * 1000) / sendMs, missing };
}

function validIds(sent: readonly GeneratedEvent[]): Set<string> {
  return new Set(sent.flatMap((e) => (e.expected.kind === "processed" ? [e.expected.eventId] : [])));
}

/** Every valid event exactly once, and the audit accounts for every event sent, in every window. */
async function verify(rows: Rows, sent: readonly GeneratedEvent[]): Promise<{ ok: boolean; lines: string[] }> {
  const valid = validIds(sent);
  const [[total, distinct]] = (await rows("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events")) as [[number, number]];
  const exact = Number(total) === valid.size && Number(distinct) === valid.size;
  const count = (kind: string) => sent.filter((e) => e.expected.kind === kind).length;
  const want = [sent.length, count("processed"), count("filtered"), count("dead_lettered"), valid.size, count("processed") - valid.size];
  // Receipts and the load's accounting land with the last loads: give the audit a moment to settle.
  let unbalanced = 0;
  let sums: number[] = [];
  for (let i = 0; i < 8; i++) {
    unbalanced = Number((await rows("SELECT COUNT(*) FROM audit_balance WHERE status <> 'balanced'"))[0]?.[0]);
    sums = (await rows("SELECT SUM(received), SUM(processed), SUM(filtered), SUM(dead_lettered), SUM(loaded), SUM(duplicates) FROM audit_balance"))[0]!.map(Number);
    if (unbalanced === 0 && sums.every((s, j) => s === want[j])) break;
    await sleep(250);
  }
  const audited = unbalanced === 0 && sums.every((s, j) => s === want[j]);
  return {
    ok: exact && audited,
    lines: [
      `events COUNT(*) ${format(Number(total))}, COUNT(DISTINCT event_id) ${format(Number(distinct))}, valid sent ${format(valid.size)}`,
      `audit ${unbalanced} unbalanced windows, received/processed/filtered/dead-lettered/loaded/duplicates ` +
        `${sums.map((s) => format(s)).join("/")} (expected ${want.map((s) => format(s)).join("/")})`,
    ],
  };
}
