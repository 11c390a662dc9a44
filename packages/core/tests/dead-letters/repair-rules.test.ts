import { describe, expect, it } from "vitest";
import { classifyRecord, DEFAULT_PIPELINE_CONFIG, REPAIR_RULES, type RepairRule } from "@freshet/core";
import { currencyCodeCase, epochSubMillisecond, propertiesJsonString, revenueDecimalString, unknownTopLevelFields } from "../../src/dead-letters/rules/index.ts";
import { aDeadLetterOf } from "../helpers/dead-letters.ts";
import { anEventV1, anEventV2, ARRIVAL, bytes } from "../helpers/factories.ts";

/** Rules decide from the event; any letter does for the ones the transformer accepts. */
const LETTER = aDeadLetterOf(anEventV2({ revenue: "1" }));

function repair(rule: RepairRule, event: Record<string, unknown>): Record<string, unknown> | undefined {
  return rule.repair(event, LETTER);
}

/** The transformer's verdict on an event. */
const verdict = (event: unknown) => classifyRecord(bytes(event), ARRIVAL, DEFAULT_PIPELINE_CONFIG).kind;

describe("REPAIR_RULES", () => {
  it("are named, versioned, described, each once", () => {
    const ids = REPAIR_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["revenue-decimal-string", "epoch-sub-millisecond", "unknown-top-level-fields"]));
    for (const rule of REPAIR_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9-]{1,64}$/);
      expect(Number.isSafeInteger(rule.version) && rule.version >= 1).toBe(true);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });

  it("never mutate the event they are given", () => {
    const event = Object.freeze(anEventV2({ revenue: "12.50", currency: "usd", occurred_at: 1_795_687_200_000_000, extra: 1, properties: Object.freeze({}) }));
    for (const rule of REPAIR_RULES) expect(() => rule.repair(event, LETTER)).not.toThrow();
  });
});

describe("revenue-decimal-string", () => {
  it("turns a decimal string into the same number, which the transformer accepts", () => {
    const event = anEventV2({ revenue: "12.50", currency: "USD" });
    expect(verdict(event)).toBe("rejected");
    const fixed = repair(revenueDecimalString, event);
    expect(fixed).toEqual({ ...event, revenue: 12.5 });
    expect(verdict(fixed)).toBe("processed");
    expect(repair(revenueDecimalString, anEventV1({ revenue: "0.99", currency: "EUR" }))).toMatchObject({ revenue: 0.99 });
  });

  it("does not apply to anything but plain decimal notation", () => {
    for (const revenue of ["12,50", "$12.50", "-3", "1e3", "", " 12", "12.", "0x10", "1234567890123456", 12.5, null]) {
      expect(repair(revenueDecimalString, anEventV2({ revenue, currency: "USD" })), String(revenue)).toBeUndefined();
    }
  });

  it("repairs the type even when the amount then breaks a business rule (re-validation decides)", () => {
    const fixed = repair(revenueDecimalString, anEventV2({ revenue: "2000000" }));
    expect(fixed).toMatchObject({ revenue: 2_000_000 });
    expect(verdict(fixed)).toBe("rejected"); // over maxRevenue and no currency
  });
});

describe("epoch-sub-millisecond", () => {
  const millis = Date.parse("2026-11-26T10:15:00.123Z");

  it("reads epoch microseconds and nanoseconds as the millisecond they name", () => {
    for (const stamp of [millis * 1000 + 456, millis * 1e6 + 456_789]) {
      const event = anEventV2({ occurred_at: stamp });
      expect(verdict(event)).toBe("rejected");
      const fixed = repair(epochSubMillisecond, event);
      expect(fixed).toEqual({ ...event, occurred_at: millis });
      expect(verdict(fixed)).toBe("processed");
    }
  });

  it("repairs v1's timestamp field", () => {
    expect(repair(epochSubMillisecond, anEventV1({ timestamp: millis * 1000 }))).toMatchObject({ timestamp: millis });
  });

  it("does not apply to seconds, milliseconds, strings or values beyond nanoseconds", () => {
    for (const occurred_at of [1_795_688_100, millis, String(millis * 1000), 1e20, -millis * 1000]) {
      expect(repair(epochSubMillisecond, anEventV2({ occurred_at })), String(occurred_at)).toBeUndefined();
    }
  });

  it("leaves a stamp that is still wrong after rescaling to re-validation", () => {
    const fixed = repair(epochSubMillisecond, anEventV2({ occurred_at: 1e14 })); // 1973 in microseconds
    expect(verdict(fixed)).toBe("rejected");
  });
});

describe("unknown-top-level-fields", () => {
  it("moves a v2 event's unknown fields under properties, unchanged", () => {
    const event = anEventV2({ plan: "pro", seats: 3, properties: { page: "/pricing" } });
    expect(verdict(event)).toBe("rejected");
    const fixed = repair(unknownTopLevelFields, event);
    expect(fixed).toEqual({ ...anEventV2(), properties: { page: "/pricing", plan: "pro", seats: 3 } });
    expect(verdict(fixed)).toBe("processed");
    expect(repair(unknownTopLevelFields, anEventV2({ plan: "pro" }))).toMatchObject({ properties: { plan: "pro" } });
  });

  it("keeps a field named __proto__ as data, not as a prototype", () => {
    const event = JSON.parse(JSON.stringify(anEventV2()).replace("}", ',"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    const fixed = repair(unknownTopLevelFields, event)!;
    const properties = fixed.properties as Record<string, unknown>;
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.hasOwn(properties, "__proto__")).toBe(true);
    expect(JSON.stringify(properties)).toBe('{"__proto__":{"polluted":true}}');
  });

  it("does not apply on a collision, to v1 events, to non-object properties or to events with no unknown field", () => {
    expect(repair(unknownTopLevelFields, anEventV2({ plan: "pro", properties: { plan: "free" } }))).toBeUndefined();
    expect(repair(unknownTopLevelFields, anEventV1({ plan: "pro" }))).toBeUndefined();
    expect(repair(unknownTopLevelFields, anEventV2({ plan: "pro", properties: [1] }))).toBeUndefined();
    expect(repair(unknownTopLevelFields, anEventV2({ revenue: "1" }))).toBeUndefined();
  });

  it("moves the fields even when the event has another fault, which re-validation then finds", () => {
    const fixed = repair(unknownTopLevelFields, anEventV2({ plan: "pro", user_id: "" }));
    expect(verdict(fixed)).toBe("rejected");
  });
});

describe("currency-code-case", () => {
  it("upper-cases a three-letter code", () => {
    const event = anEventV2({ revenue: 5, currency: "usd" });
    expect(verdict(event)).toBe("rejected");
    expect(verdict(repair(currencyCodeCase, event))).toBe("processed");
  });

  it("does not apply to codes already upper case or to anything but three letters", () => {
    for (const currency of ["USD", "us", "dollars", "u$d", null]) expect(repair(currencyCodeCase, anEventV2({ currency })), String(currency)).toBeUndefined();
  });
});

describe("properties-json-string", () => {
  it("decodes properties encoded twice", () => {
    const event = anEventV2({ properties: JSON.stringify({ plan: "pro" }) });
    expect(verdict(event)).toBe("rejected");
    const fixed = repair(propertiesJsonString, event);
    expect(fixed).toMatchObject({ properties: { plan: "pro" } });
    expect(verdict(fixed)).toBe("processed");
  });

  it("does not apply to text that is not a JSON object", () => {
    for (const properties of ["plan=pro", "[1,2]", "{broken", "42", { plan: "pro" }]) {
      expect(repair(propertiesJsonString, anEventV2({ properties })), String(properties)).toBeUndefined();
    }
  });
});
