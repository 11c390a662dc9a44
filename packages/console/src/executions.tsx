import { useState } from "preact/hooks";
import type { ExecutionDetail, ExecutionRow, Workflow } from "./api.ts";
import { clock, duration, pretty } from "./format.ts";
import { Problem } from "./problem.tsx";
import { StateGraphView } from "./state-graph-view.tsx";
import { usePoll } from "./use-poll.ts";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];

/** Workflow executions: filters, the newest runs, and one run's state graph with each state's passes. */
export function ExecutionsPanel() {
  const [workflow, setWorkflow] = useState("");
  const [status, setStatus] = useState("");
  const [selected, setSelected] = useState<string | undefined>();
  const workflows = usePoll<Workflow[]>("workflows", 10_000);
  const list = usePoll<ExecutionRow[]>(`executions?${new URLSearchParams({ workflow, status })}`);
  return (
    <section class="card wide" data-testid="executions">
      <h2>Workflow executions</h2>
      <div class="filters">
        <label>
          Workflow{" "}
          <select data-testid="filter-workflow" value={workflow} onChange={(e) => setWorkflow(e.currentTarget.value)}>
            <option value="">all</option>
            {(workflows.data ?? []).map((w) => (
              <option key={w.arn} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{" "}
          <select data-testid="filter-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Problem error={list.error} />
      <div class="split">
        <div class="list">
          <table>
            <thead>
              <tr>
                <th>started (UTC)</th>
                <th>workflow</th>
                <th>status</th>
                <th>duration</th>
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).slice(0, 100).map((e) => (
                <tr key={e.arn} class={`row ${selected === e.arn ? "selected" : ""}`} data-execution={e.name} data-workflow={e.workflow} data-status={e.status} onClick={() => setSelected(e.arn)} title={e.name}>
                  <td>{clock(e.startedAt)}</td>
                  <td>{e.workflow}</td>
                  <td class={`status ${e.status}`}>{e.status}</td>
                  <td class="n">{duration(e.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data?.length === 0 && <p class="muted">No executions{workflow || status ? " match the filters" : " yet"}.</p>}
        </div>
        <div class="detail">{selected ? <ExecutionView arn={selected} /> : <p class="muted">Select an execution to see its state graph.</p>}</div>
      </div>
    </section>
  );
}

function ExecutionView({ arn }: { arn: string }) {
  const { data, error } = usePoll<ExecutionDetail>(`execution?${new URLSearchParams({ arn })}`);
  const [state, setState] = useState<string | undefined>();
  if (!data) return error ? <Problem error={error} /> : <p class="muted">Loading…</p>;
  const passes = data.steps.filter((s) => s.name === state);
  const ms = data.startedAt ? (data.stoppedAt ? Date.parse(data.stoppedAt) : Date.now()) - Date.parse(data.startedAt) : null;
  return (
    <div data-testid="execution" data-status={data.status}>
      <h3>
        {data.workflow} · <span class={`status ${data.status}`}>{data.status}</span> · {duration(ms)}
      </h3>
      <p class="muted mono">{data.name}</p>
      {data.error && (
        <p class="problem">
          {data.error}: {data.cause}
        </p>
      )}
      <div class="graph-box">
        <StateGraphView definition={data.definition} steps={data.steps} executionStatus={data.status} selected={state} onSelect={setState} />
      </div>
      {data.historyTruncated && <p class="muted">The history is long: only its first events are shown.</p>}
      {state && (
        <div data-testid="state-detail">
          <h4>{state}</h4>
          {passes.length === 0 && <p class="muted">Not entered in this execution.</p>}
          {passes.map((p) => (
            <div class="pass" key={`${p.name}-${p.attempt}`}>
              <p>
                {p.type}
                {p.attempt > 1 ? ` · attempt ${p.attempt}` : ""} · entered {clock(p.enteredAt)} · {p.exitedAt ? `exited ${clock(p.exitedAt)} · ${duration(Date.parse(p.exitedAt) - Date.parse(p.enteredAt))}` : "not exited"}
                {p.resource ? ` · ${p.resource}` : ""}
              </p>
              {p.errors.map((e, i) => (
                <p class="problem" key={i}>
                  {e.event}: {e.error} {e.cause}
                </p>
              ))}
              <div class="io">
                <div>
                  <h5>Input</h5>
                  <pre>{pretty(p.input)}</pre>
                </div>
                <div>
                  <h5>Output</h5>
                  <pre>{pretty(p.output)}</pre>
                </div>
              </div>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
