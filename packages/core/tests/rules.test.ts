import { describe, expect, it } from "vitest";
import { checkBusinessRules, DEFAULT_PIPELINE_CONFIG, type CanonicalEvent, type PipelineConfig } from "@freshet/core";
import { aCanonicalEvent, ARRIVAL } from "./helpers/factories.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

const check = (overrides: Partial<CanonicalEvent>, config: PipelineConfig = DEFAULT_PIPELINE_CONFIG) =>
  checkBusinessRules(aCanonicalEvent(overrides), ARRIVAL, config);
const at = (offsetMs: number) => new Date(ARRIVAL.getTime() + offsetMs);

/** `{a: {a: … {}}}` with `levels` objects in all, the outermost included. */
function nestedObject(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe("event time window, judged against arrival", () => {
  it("accepts a valid event with no findings", () => {
    expect(check({})).toEqual([]);
  });

  it("allows future skew up to exactly the limit (5 min by default)", () => {
    expect(check({ occurredAt: at(5 * MINUTE) })).toEqual([]);
    expect(check({ occurredAt: at(5 * MINUTE + 1) })).toEqual([
      { path: "occurred_at", message: "is 5 min in the future; at most 5 min allowed" },
    ]);
    expect(check({ occurredAt: at(2 * 3_600_000) })).toEqual([
      { path: "occurred_at", message: "is 2 h in the future; at most 5 min allowed" },
    ]);
  });

  it("allows age up to exactly the limit (7 days by default)", () => {
    expect(check({ occurredAt: at(-7 * DAY) })).toEqual([]);
    expect(check({ occurredAt: at(-7 * DAY - 1) })).toEqual([
      { path: "occurred_at", message: "is 7 d old; at most 7 d allowed" },
    ]);
  });

  it("follows the configured window", () => {
    const strict = { ...DEFAULT_PIPELINE_CONFIG, maxFutureSkewMs: 0, maxEventAgeMs: MINUTE };
    expect(check({ occurredAt: ARRIVAL }, strict)).toEqual([]);
    expect(check({ occurredAt: at(1) }, strict).map((e) => e.path)).toEqual(["occurred_at"]);
    expect(check({ occurredAt: at(-MINUTE) }, strict)).toEqual([]);
    expect(check({ occurredAt: at(-MINUTE - 1000) }, strict)).toEqual([
      { path: "occurred_at", message: "is 1 min old; at most 1 min allowed" },
    ]);
  });
});

describe("event_type alphabet", () => {
  it.each(["page_view", "checkout.completed", "ad:click", "signup-v2", "1st_purchase", "x", "a".repeat(64)])(
    "accepts %j",
    (eventType) => {
      expect(check({ eventType })).toEqual([]);
    },
  );

  it.each([
    ["path traversal", "../../etc/passwd"],
    ["a slash", "page/view"],
    ["spaces", "page view"],
    ["empty", ""],
    ["a leading underscore", "_internal"],
    ["a leading dot", ".hidden"],
    ["non-ASCII letters", "évènement"],
    ["a newline", "click\n"],
    ["65 characters", "a".repeat(65)],
  ])("refuses %s", (_why, eventType) => {
    expect(check({ eventType })).toEqual([
      { path: "event_type", message: "must be 1-64 of A-Z a-z 0-9 _ . : - and start with a letter or digit" },
    ]);
  });
});

describe("identifiers and text fields", () => {
  it.each(["userId", "accountId", "campaignId", "adGroupId", "adId"] as const)("%s: at most 128 characters", (field) => {
    const path = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    expect(check({ [field]: "x".repeat(128) })).toEqual([]);
    expect(check({ [field]: "x".repeat(129) })).toEqual([{ path, message: "must be at most 128 characters" }]);
  });

  it.each([
    ["NUL", "user\u0000"],
    ["newline", "user\nadmin"],
    ["tab", "a\tb"],
    ["DEL", "user\u007f"],
    ["escape", "\u001b[31mred"],
  ])("refuses a %s control character", (_why, userId) => {
    expect(check({ userId })).toEqual([{ path: "user_id", message: "must not contain control characters" }]);
  });

  it("accepts non-ASCII text that is not a control character", () => {
    expect(check({ userId: "josé-日本-🎉", keyword: "chaussures de course" })).toEqual([]);
  });

  it("allows keywords up to 256 characters and checks channel text", () => {
    expect(check({ keyword: "k".repeat(256) })).toEqual([]);
    expect(check({ keyword: "k".repeat(257) })).toEqual([{ path: "keyword", message: "must be at most 256 characters" }]);
    expect(check({ channel: "cpc\r\n" })).toEqual([{ path: "channel", message: "must not contain control characters" }]);
  });
});

describe("revenue and currency", () => {
  it("accepts revenue up to the sanity limit with a currency", () => {
    expect(check({ revenue: 1_000_000, currency: "USD" })).toEqual([]);
    expect(check({ revenue: 0, currency: "EUR" })).toEqual([]);
  });

  it("refuses revenue beyond the sanity limit", () => {
    expect(check({ revenue: 1_000_000.01, currency: "USD" })).toEqual([
      { path: "revenue", message: "exceeds the sanity limit of 1000000" },
    ]);
    const config = { ...DEFAULT_PIPELINE_CONFIG, maxRevenue: 100 };
    expect(check({ revenue: 100.5, currency: "USD" }, config)).toEqual([
      { path: "revenue", message: "exceeds the sanity limit of 100" },
    ]);
  });

  it("requires a currency whenever revenue is present, even zero", () => {
    expect(check({ revenue: 12.5 })).toEqual([{ path: "currency", message: "is required when revenue is present" }]);
    expect(check({ revenue: 0 })).toEqual([{ path: "currency", message: "is required when revenue is present" }]);
  });

  it.each(["usd", "US", "USDX", "U$D", "€", ""])("refuses currency %j", (currency) => {
    expect(check({ revenue: 5, currency })).toEqual([{ path: "currency", message: "must be an ISO-4217 code such as USD" }]);
  });

  it("checks a currency sent without revenue too", () => {
    expect(check({ currency: "GBP" })).toEqual([]);
    expect(check({ currency: "gbp" })).toEqual([{ path: "currency", message: "must be an ISO-4217 code such as USD" }]);
  });
});

describe("properties nesting", () => {
  it("allows exactly the limit (32 levels, properties itself included) and refuses one more", () => {
    expect(check({ properties: nestedObject(32) })).toEqual([]);
    expect(check({ properties: nestedObject(33) })).toEqual([{ path: "properties", message: "nests deeper than 32 levels" }]);
  });

  it("counts arrays as levels and finds the deepest branch among shallow ones", () => {
    const config = { ...DEFAULT_PIPELINE_CONFIG, maxPropertiesDepth: 3 };
    expect(check({ properties: { a: [{ b: 1 }], c: "x" } }, config)).toEqual([]);
    expect(check({ properties: { a: 1, b: { c: 1 }, d: [[{ deep: true }]] } }, config)).toEqual([
      { path: "properties", message: "nests deeper than 3 levels" },
    ]);
  });

  it("stops walking at the limit, so hostile nesting stays cheap", () => {
    // Anything read below level 34 throws: the walk must give up before reaching it.
    const trap = Object.defineProperty({}, "deeper", {
      enumerable: true,
      get() {
        throw new Error("walked past the limit");
      },
    });
    let properties: Record<string, unknown> = { trap };
    for (let i = 0; i < 40; i++) properties = { a: properties };
    expect(check({ properties })).toEqual([{ path: "properties", message: "nests deeper than 32 levels" }]);
    expect(check({ properties: nestedObject(100_000) }).map((e) => e.path)).toEqual(["properties"]);
  });
});

it("reports every violation of an event at once", () => {
  expect(check({ eventType: "bad type", occurredAt: at(DAY), revenue: 10, userId: "x".repeat(200) }).map((e) => e.path)).toEqual([
    "occurred_at",
    "event_type",
    "user_id",
    "currency",
  ]);
});
