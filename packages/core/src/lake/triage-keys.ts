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
} as const;

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
