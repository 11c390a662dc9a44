import type { Overview } from "./api.ts";
import { AnomaliesPanel } from "./anomalies.tsx";
import { DashboardsPanel } from "./dashboards.tsx";
import { ExecutionsPanel } from "./executions.tsx";
import { OverviewPanel } from "./overview.tsx";
import { Problem } from "./problem.tsx";
import { TriagePanel } from "./triage.tsx";
import { usePoll } from "./use-poll.ts";

/** The console: every panel polls its own API route every few seconds (live, no reload). */
export function App() {
  const overview = usePoll<Overview>("overview");
  return (
    <>
      <header>
        <h1>Freshet</h1>
        <span class="muted">local console · updates every 2 s</span>
        <span class={`live ${overview.error ? "down" : "up"}`}>{overview.error ? "disconnected" : "live"}</span>
      </header>
      <main>
        <Problem error={overview.error} />
        {overview.data && <OverviewPanel overview={overview.data} />}
        <ExecutionsPanel />
        <DashboardsPanel />
        <AnomaliesPanel />
        <TriagePanel />
      </main>
    </>
  );
}
