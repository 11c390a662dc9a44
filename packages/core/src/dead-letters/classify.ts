import { isJsonObject } from "../events/fields.ts";
import type { DeadLetter } from "../lake/dead-letter.ts";
import type { DeadLetterReason } from "../validation/outcome.ts";
import { isRedrivePartitionKey, openRedrive } from "./redrive.ts";
import type { RepairRule } from "./repair-rule.ts";
import { REPAIR_RULES } from "./rules/index.ts";

/** What triage reports about one dead letter. */
export interface DeadLetterClass {
  readonly reason: DeadLetterReason;
  /** The paths of the letter's field errors, each once, in order (`""` is the event as a whole). */
  readonly fieldPaths: readonly string[];
  /** When the original bytes parse far enough. */
  readonly eventType: string | null;
  readonly source: { readonly partitionKey: string; readonly shardId: string; readonly streamArn: string };
  /** The repair rule that applies, if any. */
  readonly ruleId: string | null;
}

/** A dead letter's original event as far as it can be read, and whether it was itself a redrive. */
export type ReadOriginal =
  | { readonly kind: "event"; readonly raw: Readonly<Record<string, unknown>>; readonly redriven: boolean }
  | { readonly kind: "unreadable"; readonly why: string; readonly redriven: boolean };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The producer's event in a dead letter: its original bytes, decoded and parsed, or, for a record
 * that was a redrive, the event inside the envelope (marked `redriven`: it never goes round again).
 */
export function readOriginal(letter: DeadLetter): ReadOriginal {
  const bytes = Buffer.from(letter.original_base64, "base64");
  const redriven = isRedrivePartitionKey(letter.source.partition_key);
  if (redriven) {
    const opened = openRedrive(bytes);
    return opened.ok ? { kind: "event", raw: opened.event, redriven } : { kind: "unreadable", why: opened.message, redriven };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return { kind: "unreadable", why: `the original bytes are not UTF-8 JSON (${(error as Error).message})`, redriven };
  }
  return isJsonObject(json) ? { kind: "event", raw: json, redriven } : { kind: "unreadable", why: "the original event is not a JSON object", redriven };
}

/** The first rule that repairs this event, with its repair. */
export function firstApplicableRule(
  raw: Readonly<Record<string, unknown>>,
  letter: DeadLetter,
  rules: readonly RepairRule[] = REPAIR_RULES,
): { readonly rule: RepairRule; readonly repaired: Record<string, unknown> } | undefined {
  for (const rule of rules) {
    const repaired = rule.repair(raw, letter);
    if (repaired !== undefined) return { rule, repaired };
  }
  return undefined;
}

/** Reason, field paths, event type, source and the applicable repair rule of one dead letter. */
export function classifyDeadLetter(letter: DeadLetter): DeadLetterClass {
  return classOf(letter, readOriginal(letter));
}

export function classOf(letter: DeadLetter, original: ReadOriginal): DeadLetterClass {
  const raw = original.kind === "event" ? original.raw : undefined;
  const applicable = raw && !original.redriven ? firstApplicableRule(raw, letter) : undefined;
  return {
    reason: letter.reason,
    fieldPaths: [...new Set(letter.errors.map((e) => e.path))],
    eventType: raw ? eventTypeOf(raw) : null,
    source: { partitionKey: letter.source.partition_key, shardId: letter.source.shard_id, streamArn: letter.source.stream_arn },
    ruleId: applicable?.rule.id ?? null,
  };
}

/** `event_type` (v2) or `type` (v1), when it is a string of 1-256 characters (summaries group by it). */
function eventTypeOf(raw: Readonly<Record<string, unknown>>): string | null {
  const type = Object.hasOwn(raw, "event_type") ? raw.event_type : raw.type;
  return typeof type === "string" && type.length > 0 && type.length <= 256 ? type : null;
}
