import { DescribeStatementCommand } from "@aws-sdk/client-redshift-data";
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type HistoryEvent } from "@aws-sdk/client-sfn";
import { setTimeout as sleep } from "node:timers/promises";
import { generateEvents, sendEvents } from "@freshet/local";
import { percentile } from "../shared/percentile.ts";
import { loadedAmong, startPipelinePlatform } from "../shared/pipeline-platform.ts";

/**
 * Where a Load's time goes amid 2,000 events/s with a load every second: probe POST → row
 * latency as the pipeline bench measures it, and per load with objects the planner's time, the
 * statement's wait for the lock and run time, its slowest sub-statements, and when the
 * workflow saw it end. `node scripts/bench/load-profile.ts [seconds]`.
 */
const SECONDS = Number(process.argv[2] ?? 20);
const BACKGROUND_PER_SECOND = 2000;
const TICK_MS = 100;
const PROBES_PER_SECOND = 6;

const pipeline = await startPipelinePlatform("freshet-load-profile-");
const { platform, rows, redshift } = pipeline;
const sfn = new SFNClient({ endpoint: platform.endpointUrl, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
try {
  const now = new Date();
  const background = generateEvents(BACKGROUND_PER_SECOND * (SECONDS + 2), now, 9102);
  const probes = generateEvents(PROBES_PER_SECOND * SECONDS * 3, now, 9101).filter((e) => e.expected.kind === "processed");
  const posted = new Map<string, number>();
  const latencies: number[] = [];
  const started = performance.now();
  let sending = true;
  const bg = (async () => {
    const perTick = (BACKGROUND_PER_SECOND * TICK_MS) / 1000;
    for (let i = 0; sending && i < background.length; i += perTick) {
      const tick = sleep(TICK_MS);
      await sendEvents(platform.ingestUrl, platform.apiKey, background.slice(i, i + perTick).map((e) => e.line));
      await tick;
    }
  })();
  const watcher = (async () => {
    const until = () => (sending ? Number.POSITIVE_INFINITY : stopAt + 20_000);
    let stopAt = 0;
    while ((sending || posted.size > 0) && performance.now() < until()) {
      if (!sending && stopAt === 0) stopAt = performance.now();
      if (posted.size > 0) {
        const found = await loadedAmong(rows, [...posted.keys()]);
        const at = performance.now();
        for (const id of found) {
          latencies.push(at - posted.get(id)!);
          posted.delete(id);
        }
      }
      await sleep(100);
    }
  })();
  const seen = new Set<string>();
  for (const probe of probes) {
    if (performance.now() - started > SECONDS * 1000) break;
    const id = (probe.expected as { eventId: string }).eventId;
    if (seen.has(id)) continue;
    seen.add(id);
    const tick = sleep(1000 / PROBES_PER_SECOND);
    posted.set(id, performance.now());
    await sendEvents(platform.ingestUrl, platform.apiKey, [probe.line]);
    await tick;
  }
  sending = false;
  await Promise.all([bg, watcher]);
  const all = [...latencies, ...Array.from({ length: posted.size }, () => Number.POSITIVE_INFINITY)];
  console.log(`probes ${all.length}: p50 ${Math.round(percentile(all, 0.5))} ms, p95 ${Math.round(percentile(all, 0.95))} ms, missing ${posted.size}`);
  await report(sfn, platform.workflows, redshift);
} finally {
  sfn.destroy();
  await pipeline.close();
}

async function report(client: SFNClient, workflows: unknown, rs: typeof redshift): Promise<void> {
  const arn = (workflows as { workflows: { name: string; stateMachineArn: string }[] }).workflows.find((w) => w.name === "Load")!.stateMachineArn;
  const executions = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken, maxResults: 1000 }));
    executions.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const rowsOut: { plan: number; copySubmit: number; lockWait: number; run: number; seenAfter: number; total: number; describes: number; sub: [string, number][] }[] = [];
  for (const e of executions) {
    const history: HistoryEvent[] = (await client.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1000 }))).events ?? [];
    const t = (ev: HistoryEvent) => new Date(ev.timestamp!).getTime();
    const entered = (name: string) => history.filter((h) => h.stateEnteredEventDetails?.name === name);
    const exited = (name: string) => history.filter((h) => h.stateExitedEventDetails?.name === name);
    const copy = exited("Copy")[0];
    if (!copy) continue;
    const planIn = entered("Plan")[0]!;
    const planOut = exited("Plan")[0]!;
    const copyIn = entered("Copy")[0]!;
    const statementId = JSON.parse(copy.stateExitedEventDetails!.output!).statementId as string;
    const d = await rs.send(new DescribeStatementCommand({ Id: statementId }));
    const updated = d.UpdatedAt!.getTime();
    const runMs = (d.Duration ?? 0) / 1e6;
    const doneSeen = exited("StatementDone").at(-1);
    const sub = (d.SubStatements ?? []).map((s) => [(s.QueryString ?? "").split("\n")[0]!.slice(0, 60), (s.Duration ?? 0) / 1e6] as [string, number]);
    rowsOut.push({
      plan: t(planOut) - t(planIn),
      copySubmit: t(copy) - t(copyIn),
      // The transaction's wait for an earlier load's LOCK load_lock (its first sub-statement).
      lockWait: (d.SubStatements?.[0]?.Duration ?? 0) / 1e6,
      run: runMs,
      seenAfter: doneSeen ? t(doneSeen) - updated : Number.NaN,
      total: (doneSeen ? t(doneSeen) : updated) - t(planIn),
      describes: entered("DescribeStatement").length,
      sub,
    });
  }
  const stat = (name: keyof (typeof rowsOut)[number]) => {
    const v = rowsOut.map((r) => r[name] as number).filter(Number.isFinite);
    return `${name} p50 ${Math.round(percentile(v, 0.5))} p95 ${Math.round(percentile(v, 0.95))}`;
  };
  console.log(`loads with work ${rowsOut.length} of ${executions.length} executions`);
  console.log(["plan", "copySubmit", "lockWait", "run", "seenAfter", "total", "describes"].map((n) => stat(n as never)).join("; "));
  const byIndex: number[][] = [];
  const names: string[] = [];
  for (const r of rowsOut) r.sub.forEach(([q, ms], i) => {
    (byIndex[i] ??= []).push(ms);
    names[i] ??= q;
  });
  const ranked = byIndex.map((v, i) => [`#${i} ${names[i]}`, v.reduce((a, b) => a + b, 0) / v.length] as const);
  console.log(`sub-statements ${rowsOut[0]?.sub.length}; mean ms:\n${ranked.map(([q, ms]) => `  ${ms.toFixed(1).padStart(7)} ${q}`).join("\n")}`);
}
