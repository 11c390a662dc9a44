import type { AnomaliesAndAlerts } from "./api.ts";
import { Problem } from "./problem.tsx";
import { usePoll } from "./use-poll.ts";

const COLUMNS = ["detected_at", "kind", "metric", "dimension", "direction", "observed", "expected", "score"];

/** The anomalies of the last day (the warehouse's `anomalies` table) and the alerts they raised (SNS). */
export function AnomaliesPanel() {
  const { data, error } = usePoll<AnomaliesAndAlerts>("anomalies", 5000);
  return (
    <section class="card" data-testid="anomalies">
      <h2>Anomalies and alerts (24 h)</h2>
      <Problem error={error} />
      {data && data.anomalies.length === 0 && <p class="muted">No anomalies detected.</p>}
      {data && data.anomalies.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c}>{c.replace("_", " ")}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.anomalies.map((a, i) => (
                <tr key={i} class={String(a.kind)}>
                  {COLUMNS.map((c) => (
                    <td key={c}>{a[c] === null || a[c] === undefined ? "–" : typeof a[c] === "number" ? Number(a[c]).toFixed(c === "score" ? 2 : 1) : String(a[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Alerts</h3>
      {data && data.alerts.length === 0 && <p class="muted">No alerts published.</p>}
      <ul class="alerts">
        {data?.alerts.map((a, i) => (
          <li key={i}>
            <span class="mono">{a.timestamp.slice(0, 19).replace("T", " ")}</span> <span class="tag">{a.topic}</span> <strong>{a.subject ?? "–"}</strong> <span class="muted">{a.message.split("\n")[0]}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
