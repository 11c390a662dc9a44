import { describe, expect, it } from "vitest";
import {
  classifyDeadLetter,
  classifyRecord,
  DEFAULT_PIPELINE_CONFIG,
  FreshetError,
  InvalidDeadLetterError,
  openRedrive,
  parseDeadLetter,
  REDRIVE_PARTITION_PREFIX,
  RedriveRecordError,
  redriveRecordOf,
  triageDeadLetter,
  type DeadLetter,
  type TriageOutcome,
} from "@freshet/core";
import * as deadLetterErrors from "../../src/dead-letters/errors.ts";
import { aDeadLetterOf, DEAD_LETTER_KEY, STREAM_ARN } from "../helpers/dead-letters.ts";
import { anEventV2, ARRIVAL } from "../helpers/factories.ts";
import { describeErrorHierarchy, errorClassesOf } from "../support/error-hierarchy.ts";

const NOW = new Date(ARRIVAL.getTime() + 3_600_000);
const triage = (letter: DeadLetter) => triageDeadLetter(letter, DEAD_LETTER_KEY, DEFAULT_PIPELINE_CONFIG, NOW);

function repaired(outcome: TriageOutcome): Extract<TriageOutcome, { kind: "repaired" }> {
  if (outcome.kind !== "repaired") throw new Error(`expected a repair, got: ${outcome.why}`);
  return outcome;
}

describe("classifyDeadLetter", () => {
  it("reports reason, field paths, event type, source and the rule that applies", () => {
    const letter = aDeadLetterOf(anEventV2({ event_type: "purchase", revenue: "12.50", currency: "USD" }));
    expect(classifyDeadLetter(letter)).toEqual({
      reason: "schema_violation",
      fieldPaths: ["revenue"],
      eventType: "purchase",
      source: { partitionKey: "evt-0001", shardId: "shardId-000000000000", streamArn: STREAM_ARN },
      ruleId: "revenue-decimal-string",
    });
  });

  it("reads no event type from bytes that do not parse, and finds no rule", () => {
    const letter = aDeadLetterOf('{"event_type":"purchase",');
    expect(classifyDeadLetter(letter)).toMatchObject({ reason: "malformed_json", fieldPaths: [], eventType: null, ruleId: null });
  });
});

describe("triageDeadLetter", () => {
  it("repairs, re-validates and builds the redrive record: reserved key, marker, the event as repaired", () => {
    const event = anEventV2({ event_id: "evt-rev", revenue: "12.50", currency: "USD" });
    const outcome = repaired(triage(aDeadLetterOf(event)));
    expect(outcome).toMatchObject({ rule: { id: "revenue-decimal-string", version: 1 }, eventId: "evt-rev", class: { ruleId: "revenue-decimal-string" } });
    expect(outcome.record.partitionKey).toBe(`${REDRIVE_PARTITION_PREFIX}evt-rev`);
    const opened = openRedrive(outcome.record.data);
    expect(opened).toMatchObject({
      ok: true,
      marker: { rule: "revenue-decimal-string", rule_version: 1, dead_letter_key: DEAD_LETTER_KEY, original_arrival: ARRIVAL.toISOString() },
      event: { ...event, revenue: 12.5 },
    });
    // The bytes the transformer will validate pass its validation.
    if (!opened.ok) throw new Error(opened.message);
    expect(classifyRecord(opened.eventBytes, NOW, DEFAULT_PIPELINE_CONFIG).kind).toBe("processed");
  });

  it("is deterministic: the same letter gives the same record, byte for byte", () => {
    const letter = aDeadLetterOf(anEventV2({ plan: "pro" }));
    expect(Buffer.from(repaired(triage(letter)).record.data)).toEqual(Buffer.from(repaired(triage(letter)).record.data));
  });

  it("quarantines a repair the transformer would still reject, saying why", () => {
    // The string becomes a number, but revenue without a currency breaks a business rule.
    const outcome = triage(aDeadLetterOf(anEventV2({ revenue: "12.50" })));
    expect(outcome).toMatchObject({ kind: "quarantined", class: { ruleId: "revenue-decimal-string" } });
    expect(outcome.kind === "quarantined" && outcome.why).toMatch(/revenue-decimal-string@1 but still rule_violation: currency is required/);
  });

  it("quarantines what no rule repairs, with the letter's reason", () => {
    const outcome = triage(aDeadLetterOf(anEventV2({ user_id: "" })));
    expect(outcome).toMatchObject({ kind: "quarantined", class: { ruleId: null } });
    expect(outcome.kind === "quarantined" && outcome.why).toMatch(/^no repair rule applies to schema_violation/);
  });

  it("quarantines an event with two faults that one rule cannot both fix", () => {
    expect(triage(aDeadLetterOf(anEventV2({ revenue: "3", currency: "usd" }))).kind).toBe("quarantined");
  });

  it("quarantines unreadable originals: not UTF-8, not JSON, not an object", () => {
    const notUtf8 = { ...aDeadLetterOf("{}"), reason: "invalid_encoding" as const, original_base64: Buffer.from([0xff, 0xfe]).toString("base64") };
    expect(triage(notUtf8)).toMatchObject({ kind: "quarantined", why: expect.stringMatching(/not UTF-8 JSON/) });
    expect(triage(aDeadLetterOf("[1,2]"))).toMatchObject({ kind: "quarantined", why: "the original event is not a JSON object" });
  });

  it("never redrives a redriven event twice: a redrive rejected again is quarantined", () => {
    const first = repaired(triage(aDeadLetterOf(anEventV2({ revenue: "1.5", currency: "USD" }))));
    // The redrive arrives too late (the event is now older than the transformer accepts) and is dead-lettered again.
    const late = new Date(ARRIVAL.getTime() + 8 * 86_400_000);
    const opened = openRedrive(first.record.data);
    if (!opened.ok) throw new Error(opened.message);
    const again = aDeadLetterOf(Buffer.from(first.record.data).toString(), { partitionKey: first.record.partitionKey, arrival: late });
    const outcome = triageDeadLetter(again, DEAD_LETTER_KEY, DEFAULT_PIPELINE_CONFIG, late);
    expect(outcome).toMatchObject({ kind: "quarantined", class: { ruleId: null, eventType: "page_view" } });
    expect(outcome.kind === "quarantined" && outcome.why).toMatch(/never redriven twice/);
  });
});

describe("redrive records", () => {
  it("refuse an event id that cannot be a partition key's tail", () => {
    const marker = { rule: "r", rule_version: 1, dead_letter_key: DEAD_LETTER_KEY, original_arrival: ARRIVAL.toISOString() };
    expect(() => redriveRecordOf(anEventV2(), "", marker)).toThrow(RedriveRecordError);
    expect(() => redriveRecordOf(anEventV2(), "x".repeat(65), marker)).toThrow(RedriveRecordError);
  });

  it("that are not envelopes say why, without throwing", () => {
    for (const text of ["not json", "{}", '{"freshet_redrive":{},"event":{}}', '{"freshet_redrive":{"rule":"r","rule_version":0,"dead_letter_key":"k","original_arrival":"2026-11-26T10:00:00Z"},"event":{}}']) {
      expect(openRedrive(Buffer.from(text)), text).toMatchObject({ ok: false, errors: [{ path: "freshet_redrive" }] });
    }
  });
});

describe("parseDeadLetter", () => {
  it("reads a line the transformer wrote", () => {
    const letter = aDeadLetterOf(anEventV2({ revenue: "1" }));
    expect(parseDeadLetter(JSON.stringify(letter))).toEqual(letter);
  });

  it("refuses lines that are not dead letters, naming the field", () => {
    const letter = aDeadLetterOf(anEventV2({ revenue: "1" }));
    expect(() => parseDeadLetter('{"reason":')).toThrow(InvalidDeadLetterError);
    expect(() => parseDeadLetter(JSON.stringify({ ...letter, reason: "boredom" }))).toThrow(/reason/);
    expect(() => parseDeadLetter(JSON.stringify({ ...letter, original_base64: "%%%" }))).toThrow(/original_base64/);
    expect(() => parseDeadLetter(JSON.stringify({ ...letter, source: { ...letter.source, partition_key: 1 } }))).toThrow(/source.partition_key/);
  });
});

describeErrorHierarchy(
  "dead-letter triage errors",
  FreshetError,
  [
    { type: InvalidDeadLetterError, make: (cause) => new InvalidDeadLetterError("not JSON", { cause }) },
    { type: RedriveRecordError, make: (cause) => new RedriveRecordError("no event id", { cause }) },
  ],
  errorClassesOf(deadLetterErrors),
);
