import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type Field,
} from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { AUDIT_COLUMNS, buildAuditQuery } from "@freshet/core";
import { LOCAL_RESOURCES } from "../../platform/links.ts";
import { listReplays, type ReplayRecord } from "../replay-records.ts";
import { parseArgs } from "node:util";
import { AuditQueryError, UsageError } from "../errors.ts";
import { useLocalEndpointIfRunning } from "../local-endpoint.ts";

export const summary = "per arrival hour: received + redriven = loaded + duplicates + filtered + dead-lettered + in flight";

const USAGE = `usage: freshet audit [--from <time>] [--to <time>] [--json] [--workgroup <name>] [--database <name>] [--bucket <name>]

Prints the warehouse's event accounting per arrival hour (the hour the stream received an event),
oldest first: received, redriven (repaired dead letters triage put back on the stream), loaded,
repaired (the redriven events among them), duplicates (redeliveries dropped by the load), filtered
(heartbeats), dead-lettered, in flight (processed, not loaded yet) and a status: balanced,
in_flight, loaded_exceeds_processed or receipts_inconsistent. The last line sums the windows.
Then one "replayed" line per \`freshet replay\` recorded in the lake (replays/) whose hours overlap
the range: a replay's records arrive again, so they count as received and, when already loaded,
as duplicates.

  --from, --to   hours in [from, to): ISO-8601 (2026-11-26, 2026-11-26T05:00Z, …; no offset = UTC)
  --json         one JSON document: { windows: [...], totals: {...}, balanced, replays: [...] }
  --workgroup    Redshift Serverless workgroup (FRESHET_WORKGROUP, default freshet-local)
  --database     database (FRESHET_DATABASE, default freshet)
  --bucket       the lake bucket whose replays/ are listed (FRESHET_LAKE_BUCKET, default ${LOCAL_RESOURCES.bucketName})

Runs through the Redshift Data API: against AWS with your AWS_PROFILE/AWS_REGION, or against a
running \`npm start\` when no AWS credentials are set. Exit code 1 when a window is out of balance
(loaded_exceeds_processed, receipts_inconsistent) or the query fails, 2 on a usage error.`;

/** A window whose numbers cannot be explained by events still in flight. */
const OUT_OF_BALANCE = new Set(["loaded_exceeds_processed", "receipts_inconsistent"]);
const COUNTS = ["received", "processed", "filtered", "dead_lettered", "loaded", "duplicates", "in_flight", "redriven", "repaired"] as const;
const POLL_TIMEOUT_MS = 120_000;

type Count = (typeof COUNTS)[number];
export type AuditWindow = { window_start: string; status: string } & Record<Count, number>;

export async function run(args: string[]): Promise<number> {
  let values: { from?: string; to?: string; json?: boolean; workgroup?: string; database?: string; bucket?: string; help?: boolean };
  let range: { from?: Date; to?: Date };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        json: { type: "boolean" },
        workgroup: { type: "string" },
        database: { type: "string" },
        bucket: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
    range = { ...(values.from ? { from: parseTime(values.from, "--from") } : {}), ...(values.to ? { to: parseTime(values.to, "--to") } : {}) };
    if (range.from && range.to && range.from >= range.to) throw new UsageError("--from must be before --to");
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const local = useLocalEndpointIfRunning();
  const target = {
    WorkgroupName: values.workgroup ?? process.env.FRESHET_WORKGROUP ?? "freshet-local",
    Database: values.database ?? process.env.FRESHET_DATABASE ?? "freshet",
  };
  const client = new RedshiftDataClient({});
  try {
    const windows = await queryAudit(client, target, buildAuditQuery(range));
    const totals = sum(windows);
    const balanced = windows.every((w) => !OUT_OF_BALANCE.has(w.status));
    const replays = await replaysIn(values.bucket ?? process.env.FRESHET_LAKE_BUCKET ?? LOCAL_RESOURCES.bucketName, local !== undefined, range);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ windows, totals, balanced, replays })}\n`);
    } else if (windows.length === 0) {
      process.stderr.write(`no accounting windows${values.from || values.to ? " in the range" : ""} (${target.WorkgroupName}/${target.Database})\n`);
    } else {
      process.stdout.write(`${[...formatAudit(windows, totals), ...formatReplays(replays)].join("\n")}\n`);
    }
    return balanced ? 0 : 1;
  } catch (error) {
    const e = error as Error;
    process.stderr.write(`${e.name}: ${e.message}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

/**
 * The replays recorded in the lake whose hours overlap the range. A lake without replays/ (or a
 * warehouse-only setup without the bucket) has none to report; that is not an audit failure.
 */
async function replaysIn(bucket: string, local: boolean, range: { from?: Date; to?: Date }): Promise<ReplayRecord[]> {
  const s3 = new S3Client({ forcePathStyle: local });
  try {
    const all = await listReplays(s3, bucket);
    return all.filter((r) => (!range.to || Date.parse(r.from) < range.to.getTime()) && (!range.from || Date.parse(r.to) > range.from.getTime()));
  } catch {
    return [];
  } finally {
    s3.destroy();
  }
}

/** One line a replay: its hours, what it put back on the stream, when. */
export function formatReplays(replays: readonly ReplayRecord[]): string[] {
  return replays.map(
    (r) =>
      `replayed ${r.from.slice(0, 16).replace("T", " ")} – ${r.to.slice(0, 16).replace("T", " ")}: ${r.records.toLocaleString("en-US")} records ` +
      `from ${r.objects} raw object(s) at ${r.startedAt.slice(0, 19).replace("T", " ")} (counted again as received; loaded ones as duplicates) [${r.id}]`,
  );
}

/** Runs the audit query to the end and reads every page of its result. */
export async function queryAudit(client: RedshiftDataClient, target: { WorkgroupName: string; Database: string }, sql: string): Promise<AuditWindow[]> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: sql, StatementName: "freshet-audit" }));
  const started = Date.now();
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const out = await client.send(new DescribeStatementCommand({ Id }));
    if (out.Status === "FINISHED") break;
    if (out.Status === "FAILED" || out.Status === "ABORTED") throw new AuditQueryError(`audit query ${out.Status}: ${out.Error ?? "no error given"}`);
    if (Date.now() - started > POLL_TIMEOUT_MS) throw new AuditQueryError(`audit query still ${out.Status} after ${POLL_TIMEOUT_MS / 1000} s (statement ${Id})`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const windows: AuditWindow[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id, NextToken: token }));
    const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? "");
    for (const record of page.Records ?? []) windows.push(toWindow(names, record));
    token = page.NextToken;
  } while (token);
  return windows;
}

function toWindow(names: readonly string[], record: readonly Field[]): AuditWindow {
  const row = new Map(names.map((name, n) => [name, record[n]]));
  for (const column of AUDIT_COLUMNS) if (!row.has(column)) throw new AuditQueryError(`the audit result has no ${column} column`);
  const text = (f: Field | undefined) => f?.stringValue ?? "";
  const counts = Object.fromEntries(COUNTS.map((c) => [c, Number(row.get(c)?.longValue ?? row.get(c)?.stringValue ?? 0)])) as Record<Count, number>;
  return { window_start: isoHour(text(row.get("window_start"))), ...counts, status: text(row.get("status")) };
}

/** `2026-11-26 05:00:00` (a Redshift TIMESTAMP in UTC) → `2026-11-26T05:00:00.000Z`. */
function isoHour(value: string): string {
  const date = new Date(`${value.replace(" ", "T")}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function sum(windows: readonly AuditWindow[]): Record<Count, number> {
  const totals = Object.fromEntries(COUNTS.map((c) => [c, 0])) as Record<Count, number>;
  for (const w of windows) for (const c of COUNTS) totals[c] += w[c];
  return totals;
}

/** The audit as an aligned table with a totals line. */
export function formatAudit(windows: readonly AuditWindow[], totals: Record<Count, number>): string[] {
  const header = ["window (UTC)", "received", "redriven", "loaded", "repaired", "duplicates", "filtered", "dead-lettered", "in flight", "status"];
  const line = (w: Record<Count, number>) =>
    [w.received, w.redriven, w.loaded, w.repaired, w.duplicates, w.filtered, w.dead_lettered, w.in_flight].map((n) => n.toLocaleString("en-US"));
  const rows = windows.map((w) => [w.window_start.slice(0, 13).replace("T", " ") + ":00", ...line(w), w.status]);
  const balanced = windows.every((w) => w.status === "balanced");
  rows.push([`total (${windows.length} h)`, ...line(totals), balanced ? "balanced" : windows.some((w) => OUT_OF_BALANCE.has(w.status)) ? "OUT OF BALANCE" : "in_flight"]);
  const widths = header.map((h, n) => Math.max(h.length, ...rows.map((r) => r[n]!.length)));
  const render = (cells: readonly string[]) =>
    cells.map((cell, n) => (n === 0 || n === cells.length - 1 ? cell.padEnd(widths[n]!) : cell.padStart(widths[n]!))).join("  ").trimEnd();
  return [render(header), ...rows.map(render)];
}

/** An instant from the command line; without an offset it is UTC (the accounting's zone). */
export function parseTime(value: string, flag: string): Date {
  const text = /T\d\d(:\d\d){0,2}(\.\d+)?$/.test(value) ? `${value}${/T\d\d$/.test(value) ? ":00" : ""}Z` : value;
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d\d-\d\d/.test(value)) throw new UsageError(`${flag} expects an ISO-8601 time such as 2026-11-26T05:00Z, got ${JSON.stringify(value)}`);
  return date;
}
