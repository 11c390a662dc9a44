import { useState } from "preact/hooks";
import type { Cell, Dashboard } from "./api.ts";
import { Chart } from "./chart.tsx";
import { Problem } from "./problem.tsx";
import { usePoll } from "./use-poll.ts";

const VIEWS = ["campaign-performance", "user-engagement", "feature-adoption", "revenue-attribution"] as const;
const BUCKETS = ["minute", "hour", "day"] as const;
const COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#dc2626", "#0891b2"];
/** A column that holds the row's time (the chart's x axis). */
const TIME_COLUMN = /^(bucket|bucket_start|window_start|minute|hour|day|time|ts|at)$/;

/** The four dashboards, read through the metrics API (`GET /v1/metrics/{view}`): a table and a chart each. */
export function DashboardsPanel() {
  const [view, setView] = useState<(typeof VIEWS)[number]>("campaign-performance");
  const [bucket, setBucket] = useState<(typeof BUCKETS)[number]>("hour");
  const { data, error } = usePoll<Dashboard>(`metrics/${view}?${new URLSearchParams({ bucket })}`, 5000);
  return (
    <section class="card wide" data-testid="dashboards">
      <h2>Dashboards</h2>
      <div class="filters">
        <span class="tabs">
          {VIEWS.map((v) => (
            <button key={v} class={v === view ? "active" : ""} onClick={() => setView(v)}>
              {v}
            </button>
          ))}
        </span>
        <label>
          Bucket{" "}
          <select value={bucket} onChange={(e) => setBucket(e.currentTarget.value as (typeof BUCKETS)[number])}>
            {BUCKETS.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
      </div>
      <Problem error={error} />
      {data && !data.available && (
        <p class="problem" data-testid="metrics-unavailable">
          Metrics API unavailable: <code>GET /v1/metrics/{data.view}</code> answered 404 on this platform.
        </p>
      )}
      {data?.available && data.error && <p class="problem">{data.error}</p>}
      {data?.available && data.rows && <DashboardView rows={data.rows} />}
    </section>
  );
}

function DashboardView({ rows }: { rows: readonly Record<string, Cell>[] }) {
  if (rows.length === 0) return <p class="muted">No rows in this range.</p>;
  const columns = Object.keys(rows[0]!);
  const time = columns.find((c) => TIME_COLUMN.test(c));
  const numeric = columns.filter((c) => c !== time && rows.every((r) => r[c] === null || typeof r[c] === "number"));
  const dimensions = columns.filter((c) => c !== time && !numeric.includes(c));
  return (
    <>
      {time && numeric.length > 0 && <DashboardChart rows={rows} time={time} measure={numeric[0]!} dimension={dimensions[0]} />}
      <div class="scroll">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 200).map((r, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c} class={typeof r[c] === "number" ? "n" : ""}>
                    {r[c] === null ? "–" : String(r[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** One line per value of the first dimension (a campaign, a channel, …), of the first measure over time. */
function DashboardChart({ rows, time, measure, dimension }: { rows: readonly Record<string, Cell>[]; time: string; measure: string; dimension: string | undefined }) {
  const times = [...new Set(rows.map((r) => Date.parse(String(r[time])) / 1000))].filter(Number.isFinite).sort((a, b) => a - b);
  const groups = [...new Set(rows.map((r) => (dimension ? String(r[dimension]) : measure)))].slice(0, COLORS.length);
  const series = groups.map((g, i) => ({
    label: g,
    color: COLORS[i]!,
    values: times.map((t) => {
      const row = rows.find((r) => Date.parse(String(r[time])) / 1000 === t && (!dimension || String(r[dimension]) === g));
      return row && typeof row[measure] === "number" ? (row[measure] as number) : null;
    }),
  }));
  return <Chart testId="chart-dashboard" title={`${measure}${dimension ? ` by ${dimension}` : ""}`} unit="" times={times} series={series} />;
}
