import { LAKE_PREFIXES } from "./keys.ts";

/**
 * Where dead-letter triage keeps its state in the lake, all under `dlq/` beside the dead letters
 * it reads (`dlq/dt=…/reason=…/<batch>.ndjson.gz`). Only `dlq/dt=` holds dead letters: the
 * trigger's pattern and the listing use that prefix, so triage never reacts to its own writes.
 */
export const TRIAGE_PREFIXES = {
  /** What the transformer writes: the only objects triage reads as dead letters. */
  deadLetters: `${LAKE_PREFIXES.dlq}dt=`,
  /** Dead letters no rule repairs, with the reason (`dlq/quarantine/dt=…/reason=…/<batch>.ndjson.gz`). */
  quarantine: `${LAKE_PREFIXES.dlq}quarantine/`,
  /** Per dead-letter object: its redrive marker and its done marker. */
  ledger: `${LAKE_PREFIXES.dlq}triage/ledger/`,
  /** One summary per execution. */
  summaries: `${LAKE_PREFIXES.dlq}triage/summaries/`,
  /** Per dead-letter object a live execution is triaging: its claim (see the triage function's claims.ts). */
  claims: `${LAKE_PREFIXES.dlq}triage/claims/`,
} as const;

/**
 * The oldest `dt=` day that still had a dead-letter object without a done marker when Find last
 * looked: Find lists from there (or from its look-back window, if that reaches further) up.
 */
export const TRIAGE_WATERMARK_KEY = `${LAKE_PREFIXES.dlq}triage/watermark.json`;

/** The DeadLetterTriage workflow's own timeout (`TimeoutSeconds`): no execution lives longer. */
export const TRIAGE_EXECUTION_TIMEOUT_SECONDS = 3600;

/** Longest debounce an input may ask for (a Standard workflow could wait a year; triage should not): the workflow's Wait is capped here. */
export const TRIAGE_MAX_DEBOUNCE_SECONDS = 900;

/** The triage function's Lambda timeout: an invocation the workflow started runs at most this long, even past the workflow's end. */
export const TRIAGE_FUNCTION_TIMEOUT_SECONDS = 300;

/** When triage last told OpsAlerts (its alert cooldown). */
export const TRIAGE_ALERT_STATE_KEY = `${LAKE_PREFIXES.dlq}triage/alert-state.json`;

/** The debounce lease: present while an execution is waiting to start its listing. */
export const TRIAGE_LEASE_KEY = `${LAKE_PREFIXES.dlq}triage/pending.json`;

/** `dt=…/reason=…/<batch>` of a dead-letter key, or undefined for any other key. */
export function deadLetterPath(key: string): { readonly dt: string; readonly reason: string; readonly batch: string } | undefined {
  const match = /^dlq\/dt=(\d{4}-\d{2}-\d{2})\/reason=([a-z0-9_]+)\/([A-Za-z0-9_-]+)\.ndjson\.gz$/.exec(key);
  return match ? { dt: match[1]!, reason: match[2]!, batch: match[3]! } : undefined;
}

const relative = (key: string) => key.slice(LAKE_PREFIXES.dlq.length).replace(/\.ndjson\.gz$/, "");

/** The done marker of a dead-letter object: written last, after its redrive and quarantine writes. */
export function triageDoneKey(deadLetterKey: string): string {
  return `${TRIAGE_PREFIXES.ledger}${relative(deadLetterKey)}.done.json`;
}

/** The redrive marker: `redriving` (with the event ids) before PutRecords, `redriven` after. */
export function triageRedriveKey(deadLetterKey: string): string {
  return `${TRIAGE_PREFIXES.ledger}${relative(deadLetterKey)}.redrive.json`;
}

/** The dead-letter key a done marker belongs to, or undefined for any other ledger key. */
export function deadLetterKeyOfDone(doneKey: string): string | undefined {
  if (!doneKey.startsWith(TRIAGE_PREFIXES.ledger) || !doneKey.endsWith(".done.json")) return undefined;
  return `${LAKE_PREFIXES.dlq}${doneKey.slice(TRIAGE_PREFIXES.ledger.length, -".done.json".length)}.ndjson.gz`;
}

/** The claim of a dead-letter object: same day, reason and batch, under `dlq/triage/claims/`. */
export function triageClaimKey(deadLetterKey: string): string {
  return `${TRIAGE_PREFIXES.claims}${relative(deadLetterKey)}.json`;
}

/** The dead-letter key a claim belongs to, or undefined for any other key. */
export function deadLetterKeyOfClaim(claimKey: string): string | undefined {
  if (!claimKey.startsWith(TRIAGE_PREFIXES.claims) || !claimKey.endsWith(".json")) return undefined;
  return `${LAKE_PREFIXES.dlq}${claimKey.slice(TRIAGE_PREFIXES.claims.length, -".json".length)}.ndjson.gz`;
}

/**
 * The ListObjectsV2 `StartAfter` that lists the `dt=` partitions under `prefix` from `dt` on
 * (`dlq/dt=`, `dlq/triage/ledger/`, `dlq/triage/claims/` all start their keys with `dt=YYYY-MM-DD/`):
 * S3 lists keys in UTF-8 byte order, and `<prefix>dt=2026-12-01` sorts after every key of an
 * earlier day and before every key of that day.
 */
export function partitionsFrom(prefix: string, dt: string): string {
  return prefix.endsWith("dt=") ? `${prefix}${dt}` : `${prefix}dt=${dt}`;
}

/** Where a dead-letter object's quarantined letters go: same day, reason and batch. */
export function quarantineKey(deadLetterKey: string, reason: string): string {
  const path = deadLetterPath(deadLetterKey);
  const dt = path?.dt ?? "unknown";
  const batch = path?.batch ?? relative(deadLetterKey).replace(/[^A-Za-z0-9_-]/g, "_");
  return `${TRIAGE_PREFIXES.quarantine}dt=${dt}/reason=${reason}/${batch}.ndjson.gz`;
}

/** One execution's summary: by the day it ran, named by the execution. */
export function triageSummaryKey(at: Date, executionName: string): string {
  return `${TRIAGE_PREFIXES.summaries}dt=${at.toISOString().slice(0, 10)}/${executionName.replace(/[^A-Za-z0-9_-]/g, "_")}.json`;
}
