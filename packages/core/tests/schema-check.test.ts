import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { EventV1Schema, EventV2Schema } from "@freshet/core";
import { compileAcceptor } from "../src/events/schema-check.ts";
import { anEventV1, anEventV2 } from "./helpers/factories.ts";

/** Deterministic PRNG (mulberry32), so a failing case can be reproduced. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;

/** Values every field is tried with: right and wrong types, limits, and what JSON.parse can produce. */
const CANDIDATES: readonly unknown[] = [
  undefined,
  null,
  "",
  "x",
  "x".repeat(64),
  "x".repeat(65),
  "page_view",
  "2026-11-26T10:15:00Z",
  "2026-11-26T10:15:00.000Z",
  "2026-02-30T00:00:00.000Z",
  "2026-11-26T10:15:00",
  "1",
  "2",
  "3",
  0,
  1,
  2,
  -1,
  1.5,
  1_795_688_100,
  1_795_688_100_000,
  2 ** 53,
  -(2 ** 53) + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  8.64e15 + 1,
  true,
  false,
  [],
  [1],
  {},
  { nested: { a: 1 } },
];

const EXTRA_KEYS = ["extra", "__proto__", "constructor", "toString", "schema_version", "properties"];

/** A valid event with 1–3 fields replaced, removed or added (JSON.parse makes `__proto__` an own key). */
function mutated(next: () => number, base: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const event: Record<string, unknown> = JSON.parse(JSON.stringify(base));
  const changes = 1 + Math.floor(next() * 3);
  for (let i = 0; i < changes; i++) {
    const field = next() < 0.85 ? pick(next, fields) : pick(next, EXTRA_KEYS);
    const value = pick(next, CANDIDATES);
    if (value === undefined) delete event[field];
    else if (field === "__proto__") Object.defineProperty(event, field, { value, enumerable: true, writable: true, configurable: true });
    else event[field] = value;
  }
  return event;
}

describe.each([
  ["v1", EventV1Schema, () => anEventV1({ campaignId: "c", channel: "CPC", revenue: 3, currency: "USD", properties: { a: 1 } })],
  ["v2", EventV2Schema, () => anEventV2({ campaign_id: "c", keyword: "k", revenue: 0, currency: "EUR", properties: {} })],
] as const)("the check derived from schema %s", (_name, schema, valid) => {
  const accepts = compileAcceptor(schema);
  const fields = Object.keys(schema.entries);

  it("exists: every kind the event contract uses is understood", () => {
    expect(accepts).toBeTypeOf("function");
  });

  it("agrees with valibot on valid events and thousands of mutations of them", () => {
    const next = random(42);
    let acceptedCount = 0;
    for (let i = 0; i < 4000; i++) {
      const event = i === 0 ? valid() : mutated(next, valid(), fields);
      const verdict = v.safeParse(schema, event);
      expect(accepts?.(event), JSON.stringify(event)).toBe(verdict.success);
      if (verdict.success) {
        acceptedCount += 1;
        // What makes returning the input safe: valibot's output is the input, field for field.
        expect(verdict.output).toEqual(event);
      }
    }
    // Both verdicts must be well represented for the agreement to mean anything.
    expect(acceptedCount).toBeGreaterThan(400);
    expect(acceptedCount).toBeLessThan(3600);
  });

  it("refuses what is not an object, like valibot", () => {
    for (const value of [null, undefined, "event", 42, true]) {
      expect(accepts?.(value)).toBe(v.safeParse(schema, value).success);
    }
  });
});

describe("compileAcceptor on kinds it does not mirror", () => {
  it("gives no check for transformations, defaults and fallbacks, so valibot decides every time", () => {
    expect(compileAcceptor(v.pipe(v.string(), v.trim()))).toBeUndefined();
    expect(compileAcceptor(v.strictObject({ a: v.optional(v.string(), "x") }))).toBeUndefined();
    expect(compileAcceptor(v.strictObject({ a: v.fallback(v.string(), "x") }))).toBeUndefined();
    expect(compileAcceptor(v.object({ a: v.string() }))).toBeUndefined();
    expect(compileAcceptor(v.pipe(v.number(), v.maxValue(3)))).toBeUndefined();
  });

  it("gives no check when an entry is named like a property every object inherits", () => {
    // valibot reads `"constructor" in input`, true of any plain object: one pass over own keys would miss it.
    expect(compileAcceptor(v.strictObject({ constructor: v.optional(v.string()) }))).toBeUndefined();
  });

  it("leaves objects that are not plain to valibot", () => {
    const accepts = compileAcceptor(v.strictObject({ a: v.optional(v.string()) }));
    expect(accepts?.({ a: "x" })).toBe(true);
    expect(accepts?.(Object.assign(Object.create(null), { a: "x" }))).toBe(true);
    expect(accepts?.(Object.assign(Object.create({ a: 1 }), { a: "x" }))).toBe(false);
    expect(accepts?.(["x"])).toBe(false);
    expect(accepts?.(new Map())).toBe(false);
  });

  it("mirrors each validation it knows", () => {
    const accepts = compileAcceptor(
      v.strictObject({
        s: v.pipe(v.string(), v.minLength(2), v.maxLength(3), v.description("ignored metadata")),
        n: v.nullish(v.pipe(v.number(), v.finite(), v.minValue(0))),
        i: v.optional(v.pipe(v.number(), v.safeInteger())),
        x: v.optional(v.number()),
        p: v.picklist(["a", 1]),
        c: v.custom<string>((x) => x === "ok"),
        u: v.union([v.string(), v.pipe(v.number(), v.check((x) => x > 10))]),
      }),
    );
    const base = { s: "ab", n: null, p: "a", c: "ok", u: "x" };
    expect(accepts?.(base)).toBe(true);
    expect(accepts?.({ ...base, i: 3, x: -0.5, n: 0, p: 1, u: 11 })).toBe(true);
    for (const change of [{ s: "a" }, { s: "abcd" }, { n: -1 }, { n: Number.POSITIVE_INFINITY }, { i: 1.5 }, { x: Number.NaN }, { x: "1" }, { p: "b" }, { c: "no" }, { u: 10 }, { extra: 1 }]) {
      expect(accepts?.({ ...base, ...change }), JSON.stringify(change)).toBe(false);
    }
    const { c: _dropped, ...missingRequired } = base;
    expect(accepts?.(missingRequired)).toBe(false);
  });
});
