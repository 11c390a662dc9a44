import type { PipelineConfig } from "../config.ts";
import type { DeadLetter } from "../lake/dead-letter.ts";
import { classifyRecord } from "../validation/classify.ts";
import type { RecordOutcome } from "../validation/outcome.ts";
import { classOf, readOriginal, type DeadLetterClass } from "./classify.ts";
import { redriveRecordOf, type RedriveRecord } from "./redrive.ts";
import type { RepairRule } from "./repair-rule.ts";
import { REPAIR_RULES } from "./rules/index.ts";

export type TriageOutcome =
  | {
      readonly kind: "repaired";
      readonly class: DeadLetterClass;
      readonly rule: { readonly id: string; readonly version: number };
      readonly eventId: string;
      readonly record: RedriveRecord;
    }
  | { readonly kind: "quarantined"; readonly class: DeadLetterClass; readonly why: string };

const encoder = new TextEncoder();

/**
 * Classifies a dead letter, repairs it with the first rule whose repair the transformer would
 * accept, and returns the record that redrives it; anything else (no rule applies, every repair is
 * still invalid, the letter is unreadable, or it was already a redrive) is quarantined with why.
 *
 * The repaired event is judged by `classifyRecord` itself, with the transformer's config and
 * `now` as its arrival: the very validation it meets again when redriven, never a looser one.
 * Deterministic: the same letter, key, config and `now` give the same record, byte for byte.
 */
export function triageDeadLetter(
  letter: DeadLetter,
  deadLetterKey: string,
  config: PipelineConfig,
  now: Date,
  rules: readonly RepairRule[] = REPAIR_RULES,
): TriageOutcome {
  const original = readOriginal(letter);
  const quarantine = (why: string, cls: DeadLetterClass = classOf(letter, original)): TriageOutcome => ({ kind: "quarantined", class: cls, why });
  if (original.kind === "unreadable") return quarantine(original.why);
  if (original.redriven) return quarantine("rejected again after a redrive: a redriven event is never redriven twice");

  let firstFailure: string | undefined;
  let firstRule: string | null = null;
  for (const rule of rules) {
    const repaired = rule.repair(original.raw, letter);
    if (repaired === undefined) continue;
    firstRule ??= rule.id;
    const outcome = classifyRecord(encoder.encode(JSON.stringify(repaired)), now, config);
    if (outcome.kind === "processed") {
      const eventId = outcome.event.event_id;
      const record = redriveRecordOf(repaired, eventId, {
        rule: rule.id,
        rule_version: rule.version,
        dead_letter_key: deadLetterKey,
        original_arrival: letter.source.approximate_arrival,
      });
      return { kind: "repaired", class: { ...classOf(letter, original), ruleId: rule.id }, rule: { id: rule.id, version: rule.version }, eventId, record };
    }
    firstFailure ??= `repaired by ${rule.id}@${rule.version} but still ${describe(outcome)}`;
  }
  const cls = { ...classOf(letter, original), ruleId: firstRule };
  return quarantine(firstFailure ?? `no repair rule applies to ${letter.reason}: ${letter.message}`, cls);
}

function describe(outcome: Exclude<RecordOutcome, { kind: "processed" }>): string {
  return outcome.kind === "filtered" ? `filtered (event type ${outcome.eventType}): nothing to redrive` : `${outcome.reason}: ${outcome.message}`;
}
