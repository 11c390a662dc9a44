import type { Overview, PipelinePoint } from "./api.ts";
import { Chart } from "./chart.tsx";
import { num } from "./format.ts";

/** Pipeline counters, the audit and the freshness, throughput and lag charts. */
export function OverviewPanel({ overview }: { overview: Overview }) {
  const { counts, warehouse, executions } = overview;
  const counters: [string, string, number | null | undefined][] = [
    ["accepted", "Accepted (since start)", overview.accepted],
    ["received", "Transformer received", counts.received],
    ["processed", "Processed", counts.processed],
    ["dead-lettered", "Dead-lettered", counts.deadLettered],
    ["filtered", "Filtered", counts.filtered],
    ["batches", "Batches", counts.batches],
    ["loaded", "Loaded into the warehouse", warehouse?.loaded],
    ["in-flight", "In flight", warehouse?.inFlight],
    ["executions-succeeded", "Executions succeeded", executions.succeeded],
    ["executions-failed", "Executions failed", executions.failed],
    ["executions-running", "Executions running", executions.running],
  ];
  return (
    <>
      <section class="card wide">
        <h2>Pipeline</h2>
        <div class="counters">
          {counters.map(([id, label, value]) => (
            <div class="counter" data-testid={`counter-${id}`} data-value={value ?? ""} key={id}>
              <span class="value">{num(value)}</span>
              <span class="label">{label}</span>
            </div>
          ))}
          <div class="counter" data-testid="counter-freshness">
            <span class="value">{warehouse?.freshnessSeconds === undefined ? "–" : `${Math.round(warehouse.freshnessSeconds)} s`}</span>
            <span class="label">Freshness{warehouse?.confidence === undefined ? "" : ` (confidence ${warehouse.confidence})`}</span>
          </div>
          <div class={`counter ${warehouse && !warehouse.balanced ? "bad" : ""}`} data-testid="counter-audit">
            <span class="value">{warehouse ? (warehouse.balanced ? "balanced" : "OUT OF BALANCE") : "–"}</span>
            <span class="label">Audit</span>
          </div>
        </div>
      </section>
      <Charts series={overview.series} />
      <AuditTable overview={overview} />
    </>
  );
}

/** Rates from consecutive samples of a cumulative count (events/s); null where either sample lacks it. */
export function rates(points: readonly PipelinePoint[], pick: (p: PipelinePoint) => number | null): (number | null)[] {
  return points.map((p, i) => {
    const before = points[i - 1];
    const [a, b] = [before ? pick(before) : null, pick(p)];
    if (!before || a === null || b === null || p.t <= before.t) return null;
    return Math.max(0, (b - a) / (p.t - before.t));
  });
}

function Charts({ series }: { series: readonly PipelinePoint[] }) {
  const times = series.map((p) => p.t);
  return (
    <section class="card wide">
      <h2>Over time</h2>
      <div class="charts">
        <Chart
          testId="chart-throughput"
          title="Throughput (events/s)"
          unit="ev/s"
          times={times}
          series={[
            { label: "accepted", color: "#2563eb", values: rates(series, (p) => p.accepted) },
            { label: "processed", color: "#16a34a", values: rates(series, (p) => p.processed) },
            { label: "loaded", color: "#9333ea", values: rates(series, (p) => p.loaded) },
          ]}
        />
        <Chart testId="chart-freshness" title="Freshness (age of the newest loaded event, s)" unit="s" times={times} series={[{ label: "freshness", color: "#ea580c", values: series.map((p) => p.freshnessSeconds) }]} />
        <Chart testId="chart-lag" title="Lag (events processed, not loaded yet)" unit="events" times={times} series={[{ label: "in flight", color: "#dc2626", values: series.map((p) => p.inFlight) }]} />
      </div>
    </section>
  );
}

function AuditTable({ overview }: { overview: Overview }) {
  const windows = overview.warehouse?.windows ?? [];
  return (
    <section class="card wide" data-testid="audit">
      <h2>Audit (per arrival hour, UTC)</h2>
      {windows.length === 0 ? (
        <p class="muted">No accounting windows yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              {["window", "received", "redriven", "loaded", "repaired", "duplicates", "filtered", "dead-lettered", "in flight", "status"].map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {windows.map((w) => (
              <tr key={w.window_start}>
                <td>{w.window_start.slice(0, 13).replace("T", " ")}:00</td>
                {[w.received, w.redriven, w.loaded, w.repaired, w.duplicates, w.filtered, w.dead_lettered, w.in_flight].map((n, i) => (
                  <td class="n" key={i}>
                    {num(n)}
                  </td>
                ))}
                <td class={`status ${w.status}`}>{w.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
