import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from "@aws-sdk/client-sfn";

/** The newest finished execution of a workflow, and what it returned. */
export interface FinishedExecution {
  readonly status: string;
  readonly stoppedAt: Date;
  /** The execution's output, parsed (undefined for a failed execution or unreadable output). */
  readonly output: unknown;
}

/**
 * The newest execution of the state machine that has ended (ListExecutions answers newest first,
 * so the first page holds it unless more executions than a page are still running).
 */
export async function latestFinished(client: SFNClient, stateMachineArn: string): Promise<FinishedExecution | undefined> {
  const page = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
  const ended = (page.executions ?? []).filter((e) => e.status !== "RUNNING" && e.stopDate !== undefined);
  const newest = ended.sort((a, b) => b.stopDate!.getTime() - a.stopDate!.getTime())[0];
  if (!newest?.executionArn) return undefined;
  const described = await client.send(new DescribeExecutionCommand({ executionArn: newest.executionArn }));
  return { status: newest.status ?? "?", stoppedAt: newest.stopDate!, output: parseOutput(described.output) };
}

function parseOutput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `maintenance 03:17: events vacuum-sort, loads analyze; 1 deferred` — what `npm start` shows of the newest Maintenance. */
export function describeMaintenance(run: FinishedExecution): string {
  const at = clock(run.stoppedAt);
  if (run.status !== "SUCCEEDED") return `maintenance ${at} ${run.status}`;
  const output = run.output as { skipped?: string; deferred?: number; failed?: number; tables?: { table?: string; decision?: string; outcome?: string }[] } | undefined;
  if (output?.skipped) return `maintenance ${at} skipped`;
  const done = (output?.tables ?? []).filter((t) => t.outcome === "done").map((t) => `${t.table} ${t.decision}`);
  const parts = [done.length > 0 ? done.join(", ") : "all tables healthy"];
  if (output?.deferred) parts.push(`${output.deferred} deferred`);
  if (output?.failed) parts.push(`${output.failed} failed`);
  return `maintenance ${at}: ${parts.join("; ")}`;
}

/** `triage 03:20: 40 letters, 12 repaired, 28 quarantined` — what `npm start` shows of the newest DeadLetterTriage. */
export function describeTriage(run: FinishedExecution): string {
  const at = clock(run.stoppedAt);
  if (run.status !== "SUCCEEDED") return `triage ${at} ${run.status}`;
  const output = run.output as { letters?: number; repaired?: number; quarantined?: number; deferred?: number } | undefined;
  if (output?.letters === undefined) return `triage ${at}: nothing to triage`;
  const parts = [`${output.letters} letters`, `${output.repaired ?? 0} repaired`, `${output.quarantined ?? 0} quarantined`];
  if (output.deferred) parts.push(`${output.deferred} objects left`);
  return `triage ${at}: ${parts.join(", ")}`;
}

function clock(at: Date): string {
  return at.toISOString().slice(11, 16);
}
