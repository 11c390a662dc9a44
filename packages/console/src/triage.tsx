import type { TriageReport } from "./api.ts";
import { num } from "./format.ts";
import { usePoll } from "./use-poll.ts";
import { Problem } from "./problem.tsx";

/** Dead-letter triage: what is waiting, what was quarantined and why, the latest triage run (what `freshet dlq summary` prints). */
export function TriagePanel() {
  const { data, error } = usePoll<TriageReport>("triage");
  const reasons = data ? [...new Set([...Object.keys(data.unhandled.byReason), ...Object.keys(data.quarantined.byReason)])].sort() : [];
  const latest = data?.latest;
  return (
    <section class="card" data-testid="triage" data-loaded={data ? "true" : "false"}>
      <h2>Dead-letter triage</h2>
      <Problem error={error} />
      {data && (
        <>
          <div class="counters small">
            <div class="counter" data-testid="triage-unhandled" data-value={data.unhandled.objects}>
              <span class="value">{num(data.unhandled.objects)}</span>
              <span class="label">unhandled objects</span>
            </div>
            <div class="counter" data-testid="triage-triaged" data-value={data.triaged}>
              <span class="value">{num(data.triaged)}</span>
              <span class="label">triaged</span>
            </div>
            <div class="counter" data-testid="triage-quarantined" data-value={data.quarantined.objects}>
              <span class="value">{num(data.quarantined.objects)}</span>
              <span class="label">quarantined objects</span>
            </div>
          </div>
          {data.unhandled.oldestAt && <p class="muted">Oldest unhandled: {data.unhandled.oldestAt}</p>}
          {reasons.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>reason</th>
                  <th>unhandled</th>
                  <th>quarantined</th>
                </tr>
              </thead>
              <tbody>
                {reasons.map((r) => (
                  <tr key={r} data-reason={r}>
                    <td>{r}</td>
                    <td class="n">{num(data.unhandled.byReason[r] ?? 0)}</td>
                    <td class="n">{num(data.quarantined.byReason[r] ?? 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p data-testid="triage-latest">
            {latest
              ? `Latest triage ${String(latest.executionName ?? "")} at ${String(latest.finishedAt ?? "")}: ${String(latest.letters ?? 0)} letters, ${String(latest.repaired ?? 0)} repaired, ${String(latest.redriven ?? 0)} redriven, ${String(latest.quarantined ?? 0)} quarantined`
              : "No triage run yet."}
          </p>
        </>
      )}
    </section>
  );
}
