import type { S3Client } from "@aws-sdk/client-s3";
import { triageSummaryKey } from "@freshet/core";
import { putJson } from "../load/s3-objects.ts";
import { topSources } from "./top-sources.ts";
import type { ObjectTriage, ReasonCounts, SummarizeInput, TriageSummary } from "./types.ts";

/** Sources listed by name in a summary; the rest are counted under `(others)`. */
export const TOP_SOURCES = 20;

/** Adds up one execution's per-object results (pure). */
export function summarize(input: SummarizeInput, finishedAt: Date, alertThreshold: number): Omit<TriageSummary, "summaryKey"> {
  const results = input.results;
  const byReason: Record<string, ReasonCounts> = {};
  const sources: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  for (const r of results) {
    for (const [reason, c] of Object.entries(r.byReason)) {
      const total = (byReason[reason] ??= { letters: 0, repaired: 0, quarantined: 0 });
      total.letters += c.letters;
      total.repaired += c.repaired;
      total.quarantined += c.quarantined;
    }
    addAll(sources, r.bySource);
    addAll(byRule, r.byRule);
  }
  const sum = (f: (r: ObjectTriage) => number) => results.reduce((n, r) => n + f(r), 0);
  const quarantined = sum((r) => r.quarantined);
  return {
    executionName: input.executionName,
    startedAt: input.startedAt,
    finishedAt: finishedAt.toISOString(),
    reasonFilter: input.reason ?? null,
    dryRun: input.dryRun === true,
    objects: results.length,
    alreadyTriaged: results.filter((r) => r.alreadyTriaged).length,
    unreadableObjects: results.filter((r) => r.unreadable !== null).length,
    letters: sum((r) => r.letters),
    repaired: sum((r) => r.repaired),
    redriven: sum((r) => r.redriven),
    quarantined,
    byReason,
    bySource: topSources(sources, TOP_SOURCES),
    byRule,
    deferred: input.found.deferred,
    oldestUnhandledAt: input.found.oldestDeferredAt,
    alert: !input.dryRun && quarantined > 0 && quarantined >= alertThreshold,
    alertThreshold,
  };
}

/** Writes the summary to the lake (not for a dry run) and returns it with its key. */
export async function writeSummary(s3: S3Client, bucket: string, summary: Omit<TriageSummary, "summaryKey">): Promise<TriageSummary> {
  if (summary.dryRun) return { ...summary, summaryKey: null };
  const summaryKey = triageSummaryKey(new Date(summary.startedAt), summary.executionName);
  const written: TriageSummary = { ...summary, summaryKey };
  await putJson(s3, bucket, summaryKey, written);
  return written;
}

function addAll(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

