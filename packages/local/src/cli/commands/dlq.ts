import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { DEAD_LETTER_REASONS, TRIAGE_PREFIXES, deadLetterKeyOfDone, deadLetterPath } from "@freshet/core";
import { gunzipSync } from "node:zlib";
import { LOCAL_RESOURCES } from "../../platform/links.ts";
import { CommandError } from "../errors.ts";
import { createActivity } from "../progress.ts";
import { parseSubcommand } from "../subcommand-args.ts";
import { useLocalEndpointIfRunning } from "../local-endpoint.ts";
import { resolveWorkflow, table } from "./executions.ts";

export const summary = "dead letters: what is unhandled, what is quarantined and why, redrive by reason";

const USAGE = `usage: freshet dlq <summary|show|redrive> …

  summary [--json]                  dead letters not yet triaged, per reason (and the oldest),
                                    quarantined letters per reason, the latest triage summary
  show <reason> [--json] [--max n]  the quarantined letters of a reason: day, event id, source, why
  redrive --reason <reason> [--days n] [--dry-run] [--json]
                                    starts DeadLetterTriage for that reason now (no debounce) and
                                    follows it to the end (on a terminal, a progress bar), then
                                    prints its summary as one JSON document (with or without
                                    --json); it lists the sweep's look-back (--days n: n days
                                    before today) or further, from the oldest day not triaged;
                                    --dry-run repairs and reports, writes nothing

  --bucket <name>   the lake bucket (FRESHET_LAKE_BUCKET, default ${LOCAL_RESOURCES.bucketName})

Reads the lake through S3 and starts the workflow through Step Functions: against AWS with your
AWS_PROFILE/AWS_REGION, or against a running \`npm start\` when no AWS credentials are set.
Reasons: ${DEAD_LETTER_REASONS.join(", ")} (and unreadable, for quarantined objects that were not dead letters).`;

interface Options {
  json?: boolean;
  max?: string;
  reason?: string;
  days?: string;
  "dry-run"?: boolean;
  bucket?: string;
  help?: boolean;
}

/** How often `redrive` looks at the execution (the CLI's own pace; tests pass 0). */
export const POLL_MS = { value: 1000 };

export async function run(args: string[]): Promise<number> {
  const parsed = parseSubcommand<Options>(
    args,
    {
      json: { type: "boolean" },
      max: { type: "string" },
      reason: { type: "string" },
      days: { type: "string" },
      "dry-run": { type: "boolean" },
      bucket: { type: "string" },
    },
    USAGE,
  );
  if ("exitCode" in parsed) return parsed.exitCode;
  const { values, action, rest } = parsed;
  const local = useLocalEndpointIfRunning();
  const s3 = new S3Client({ forcePathStyle: local !== undefined });
  const sfn = new SFNClient({});
  const bucket = values.bucket ?? process.env.FRESHET_LAKE_BUCKET ?? LOCAL_RESOURCES.bucketName;
  try {
    switch (action) {
      case "summary":
        return await showSummary(s3, bucket, values.json ?? false);
      case "show":
        return await showReason(s3, bucket, checkedReason(rest[0], true), values);
      case "redrive":
        return await redrive(sfn, checkedReason(values.reason, false), values["dry-run"] ?? false, checkedDays(values.days));
      default:
        throw new CommandError(`unknown action '${action}'`, 2);
    }
  } catch (error) {
    if (error instanceof CommandError) {
      process.stderr.write(`${error.message}\n${error.exitCode === 2 ? `\n${USAGE}\n` : ""}`);
      return error.exitCode;
    }
    const e = error as Error;
    process.stderr.write(`${e.name}: ${e.message}\n`);
    return 1;
  } finally {
    s3.destroy();
    sfn.destroy();
  }
}

function checkedReason(reason: string | undefined, allowUnreadable: boolean): string {
  if (!reason) throw new CommandError("missing a reason", 2);
  const known: readonly string[] = allowUnreadable ? [...DEAD_LETTER_REASONS, "unreadable"] : DEAD_LETTER_REASONS;
  if (!known.includes(reason)) throw new CommandError(`unknown reason '${reason}': one of ${known.join(", ")}`, 2);
  return reason;
}

async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; lastModified: Date }[]> {
  const out: { key: string; lastModified: Date }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, lastModified: o.LastModified ?? new Date(0) });
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return out;
}

async function readBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  return (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray()) ?? new Uint8Array();
}

const reasonOf = (key: string) => /\/reason=([a-z0-9_]+)\//.exec(key)?.[1] ?? "unknown";

/** What `dlq summary` reports: unhandled and quarantined objects per reason, and the latest triage summary (also the console's triage panel). */
export interface TriageReport {
  readonly unhandled: { readonly objects: number; readonly byReason: Record<string, number>; readonly oldestAt: string | null };
  readonly triaged: number;
  readonly quarantined: { readonly objects: number; readonly byReason: Record<string, number> };
  readonly latest: Record<string, unknown> | null;
}

/** Reads the triage prefixes of the lake into a `TriageReport`. */
export async function triageReport(s3: S3Client, bucket: string): Promise<TriageReport> {
  const [letters, ledger, quarantine, summaries] = await Promise.all([
    listAll(s3, bucket, TRIAGE_PREFIXES.deadLetters),
    listAll(s3, bucket, TRIAGE_PREFIXES.ledger),
    listAll(s3, bucket, TRIAGE_PREFIXES.quarantine),
    listAll(s3, bucket, TRIAGE_PREFIXES.summaries),
  ]);
  const done = new Set(ledger.map((o) => deadLetterKeyOfDone(o.key)).filter((k) => k !== undefined));
  const unhandled = letters.filter((o) => deadLetterPath(o.key) && !done.has(o.key));
  const perReason = (objects: { key: string }[]) =>
    objects.reduce<Record<string, number>>((acc, o) => ({ ...acc, [reasonOf(o.key)]: (acc[reasonOf(o.key)] ?? 0) + 1 }), {});
  const oldest = unhandled.reduce<Date | null>((a, o) => (a === null || o.lastModified < a ? o.lastModified : a), null);
  const newest = summaries.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || b.key.localeCompare(a.key))[0];
  const latest = newest ? (JSON.parse(Buffer.from(await readBytes(s3, bucket, newest.key)).toString("utf8")) as Record<string, unknown>) : null;
  return {
    unhandled: { objects: unhandled.length, byReason: perReason(unhandled), oldestAt: oldest?.toISOString() ?? null },
    triaged: done.size,
    quarantined: { objects: quarantine.length, byReason: perReason(quarantine) },
    latest,
  };
}

/** Unhandled dead-letter objects and quarantined objects per reason, and the latest triage summary. */
async function showSummary(s3: S3Client, bucket: string, json: boolean): Promise<number> {
  const report = await triageReport(s3, bucket);
  const { latest } = report;
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const reasons = [...new Set([...Object.keys(report.unhandled.byReason), ...Object.keys(report.quarantined.byReason)])].sort();
  const rows = reasons.map((r) => [r, String(report.unhandled.byReason[r] ?? 0), String(report.quarantined.byReason[r] ?? 0)]);
  process.stdout.write(`${table(["REASON", "UNHANDLED OBJECTS", "QUARANTINED OBJECTS"], rows)}\n`);
  process.stdout.write(`unhandled: ${report.unhandled.objects} objects${report.unhandled.oldestAt ? `, oldest ${report.unhandled.oldestAt}` : ""}; triaged: ${report.triaged}\n`);
  if (latest) {
    process.stdout.write(
      `latest triage ${String(latest.executionName)} at ${String(latest.finishedAt)}: ${String(latest.letters)} letters, ` +
        `${String(latest.repaired)} repaired, ${String(latest.redriven)} redriven, ${String(latest.quarantined)} quarantined\n`,
    );
  }
  return 0;
}

/** The quarantined letters of one reason, newest day first. */
async function showReason(s3: S3Client, bucket: string, reason: string, values: Options): Promise<number> {
  const max = values.max === undefined ? 50 : Number(values.max);
  if (!Number.isInteger(max) || max < 1) throw new CommandError("--max must be a positive integer", 2);
  const objects = (await listAll(s3, bucket, TRIAGE_PREFIXES.quarantine)).filter((o) => reasonOf(o.key) === reason).sort((a, b) => b.key.localeCompare(a.key));
  const letters: Record<string, unknown>[] = [];
  for (const o of objects) {
    if (letters.length >= max) break;
    const lines = gunzipSync(await readBytes(s3, bucket, o.key)).toString("utf8").split("\n").filter((l) => l.trim() !== "");
    for (const line of lines.slice(0, max - letters.length)) {
      const l = JSON.parse(line) as { event_id?: string | null; source?: { partition_key?: string }; quarantine?: { why?: string; dead_letter_key?: string } };
      letters.push({
        day: /dt=(\d{4}-\d{2}-\d{2})/.exec(o.key)?.[1] ?? "",
        eventId: l.event_id ?? null,
        source: l.source?.partition_key ?? null,
        why: l.quarantine?.why ?? "",
        deadLetterKey: l.quarantine?.dead_letter_key ?? null,
        quarantineKey: o.key,
      });
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ reason, letters }, null, 2)}\n`);
    return 0;
  }
  if (letters.length === 0) {
    process.stderr.write(`no quarantined dead letters with reason ${reason}\n`);
    return 0;
  }
  const rows = letters.map((l) => [String(l.day), String(l.eventId ?? "-"), String(l.source ?? "-"), String(l.why)]);
  process.stdout.write(`${table(["DAY", "EVENT", "SOURCE", "WHY"], rows)}\n`);
  return 0;
}

function checkedDays(days: string | undefined): number | undefined {
  if (days === undefined) return undefined;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1) throw new CommandError(`--days must be a whole number of days ≥ 1, got '${days}'`, 2);
  return n;
}

/**
 * Starts DeadLetterTriage for one reason and follows it: each state as it is entered, then the
 * summary. On a terminal a bar below the state lines shows the elapsed time and the current state.
 */
async function redrive(sfn: SFNClient, reason: string, dryRun: boolean, lookbackDays: number | undefined): Promise<number> {
  const machine = await resolveWorkflow(sfn, "DeadLetterTriage");
  // As the hourly sweep: the configured look-back (or the asked one), not only since yesterday.
  const input = { reason, dryRun, debounceSeconds: 0, sweep: true, ...(lookbackDays !== undefined ? { lookbackDays } : {}) };
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: JSON.stringify(input) }));
  const activity = createActivity({ label: "redrive" });
  try {
    activity.log(`started ${executionArn}${dryRun ? " (dry run)" : ""}`);
    let seen = 0;
    for (;;) {
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      const entered = (history.events ?? []).filter((e) => e.type?.endsWith("StateEntered") && e.stateEnteredEventDetails?.name);
      for (const e of entered.slice(seen)) activity.log(`  ${e.timestamp?.toISOString() ?? ""} ${e.stateEnteredEventDetails!.name}`);
      seen = Math.max(seen, entered.length);
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== "RUNNING" && execution.status !== "PENDING_REDRIVE") {
        activity.finish();
        if (execution.status !== "SUCCEEDED") {
          process.stderr.write(`${execution.status}: ${execution.error ?? ""} ${execution.cause ?? ""}\n`);
          return 1;
        }
        process.stdout.write(`${JSON.stringify(JSON.parse(execution.output ?? "{}"), null, 2)}\n`);
        return 0;
      }
      activity.step(`${execution.status?.toLowerCase()}, ${seen} state(s) entered${seen ? `, last ${entered.at(-1)!.stateEnteredEventDetails!.name}` : ""}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS.value));
    }
  } finally {
    activity.finish();
  }
}
