import { describe, expect, it } from "vitest";
import { reconcile, type CanonicalEvent, type ReconcileResult } from "@freshet/core";
import { anEventV1, anEventV2 } from "./helpers/factories.ts";

function accepted(result: ReconcileResult): CanonicalEvent {
  if (!result.ok) throw new Error(`expected an accepted event, got ${result.reason}: ${JSON.stringify(result.errors)}`);
  return result.event;
}

function rejected(result: ReconcileResult) {
  if (result.ok) throw new Error("expected a rejected event");
  return result;
}

describe("reconcile: v1 and v2 land on one canonical event", () => {
  const v2 = anEventV2({
    occurred_at: "2026-11-26T11:15:00+01:00",
    user_id: "user-42",
    campaign_id: "spring-sale",
    ad_group_id: "ag-1",
    ad_id: "ad-9",
    keyword: "running shoes",
    channel: "CPC",
    revenue: 19.99,
    currency: "EUR",
    properties: { page: "/checkout", items: [1, 2] },
  });
  const v1 = anEventV1({
    campaignId: "spring-sale",
    adGroupId: "ag-1",
    adId: "ad-9",
    keyword: "running shoes",
    channel: "CPC",
    revenue: 19.99,
    currency: "EUR",
    properties: { page: "/checkout", items: [1, 2] },
  });

  it("maps every v2 field", () => {
    expect(accepted(reconcile(v2))).toEqual({
      eventId: "evt-0001",
      eventType: "page_view",
      occurredAt: new Date("2026-11-26T10:15:00.000Z"),
      userId: "user-42",
      accountId: "acct-7",
      campaignId: "spring-sale",
      adGroupId: "ag-1",
      adId: "ad-9",
      keyword: "running shoes",
      channel: "CPC",
      revenue: 19.99,
      currency: "EUR",
      properties: { page: "/checkout", items: [1, 2] },
      sourceSchemaVersion: 2,
    });
  });

  it("gives the equivalent v1 event (camelCase, unix seconds) the same canonical form", () => {
    const fromV1 = accepted(reconcile(v1));
    const fromV2 = accepted(reconcile(v2));
    expect(fromV1.sourceSchemaVersion).toBe(1);
    expect({ ...fromV1, sourceSchemaVersion: 2 }).toEqual(fromV2);
  });

  it("turns integer identifiers into strings", () => {
    const event = accepted(reconcile(anEventV1({ userId: 42, accountId: 0 })));
    expect(event.userId).toBe("42");
    expect(event.accountId).toBe("0");
    expect(accepted(reconcile(anEventV2({ user_id: -7 }))).userId).toBe("-7");
  });

  it("defaults absent optional fields to null and properties to {}", () => {
    const event = accepted(reconcile(anEventV2({ campaign_id: null, properties: null })));
    expect(event).toMatchObject({
      campaignId: null,
      adGroupId: null,
      adId: null,
      keyword: null,
      channel: null,
      revenue: null,
      currency: null,
      properties: {},
    });
  });
});

describe("reconcile: version detection", () => {
  it.each([
    ["explicit 1", anEventV1({ schema_version: 1 }), 1],
    ['explicit "1"', anEventV1({ schema_version: "1" }), 1],
    ["no version, legacy fields", anEventV1(), 1],
    ["explicit 2", anEventV2({ schema_version: 2 }), 2],
    ['explicit "2"', anEventV2({ schema_version: "2" }), 2],
    ["no version, v2 fields", anEventV2({ schema_version: undefined }), 2],
  ])("%s → v%d", (_why, input, version) => {
    expect(accepted(reconcile(input)).sourceSchemaVersion).toBe(version);
  });

  it.each([
    [3, "3 is not supported; supported: 1, 2"],
    ["3", '"3" is not supported; supported: 1, 2'],
    [0, "0 is not supported; supported: 1, 2"],
    [null, "null is not supported; supported: 1, 2"],
    [true, "true is not supported; supported: 1, 2"],
  ])("schema_version %j is unsupported_version", (version, message) => {
    const result = rejected(reconcile(anEventV2({ schema_version: version })));
    expect(result.reason).toBe("unsupported_version");
    expect(result.errors).toEqual([{ path: "schema_version", message }]);
  });

  it("validates a declared version against that version only", () => {
    const result = rejected(reconcile(anEventV1({ schema_version: 2 })));
    expect(result.reason).toBe("schema_violation");
    // Every missing v2 field, then the first field v2 does not know.
    expect(result.errors.map((e) => e.path)).toEqual(["event_id", "event_type", "occurred_at", "user_id", "account_id", "eventId"]);
  });
});

describe("reconcile: schema violations", () => {
  it("names an unknown top-level field by its path", () => {
    const result = rejected(reconcile(anEventV2({ utm_source: "google" })));
    expect(result.reason).toBe("schema_violation");
    expect(result.errors).toEqual([
      { path: "utm_source", message: 'unknown field "utm_source"; put free-form data under "properties"' },
    ]);
  });

  it("says a missing required field is required, in the producer's spelling", () => {
    expect(rejected(reconcile(anEventV2({ user_id: undefined, occurred_at: undefined }))).errors).toEqual([
      { path: "occurred_at", message: "is required" },
      { path: "user_id", message: "is required" },
    ]);
    expect(rejected(reconcile(anEventV1({ accountId: undefined }))).errors).toEqual([{ path: "accountId", message: "is required" }]);
  });

  it.each([
    ["occurred_at", { occurred_at: "2026-11-26T10:15:00" }, "must be ISO-8601 with an offset (Z or ±hh:mm)"],
    ["occurred_at", { occurred_at: "2026-02-30T10:15:00Z" }, "must be ISO-8601 with an offset (Z or ±hh:mm)"],
    ["user_id", { user_id: "" }, "must not be empty"],
    ["user_id", { user_id: 2 ** 53 }, "must be a safe integer"],
    ["account_id", { account_id: 1.5 }, "must be a safe integer"],
    ["event_id", { event_id: "x".repeat(65) }, "must be at most 64 characters"],
    ["event_type", { event_type: "" }, "must not be empty"],
    ["revenue", { revenue: -0.01, currency: "USD" }, "must not be negative"],
  ])("%s: %j → %s", (path, overrides, message) => {
    const result = rejected(reconcile(anEventV2(overrides)));
    expect(result.reason).toBe("schema_violation");
    expect(result.errors).toContainEqual({ path, message });
  });

  it("refuses properties that are not a JSON object, and optional fields of the wrong type", () => {
    const result = rejected(reconcile(anEventV2({ properties: ["not", "a", "record"], campaign_id: 5 })));
    expect(result.errors).toEqual([
      { path: "campaign_id", message: "Invalid type: Expected string but received 5" },
      { path: "properties", message: "must be a JSON object" },
    ]);
    expect(rejected(reconcile(anEventV2({ properties: "page=/home" }))).errors.map((e) => e.path)).toEqual(["properties"]);
  });

  it.each([
    [null, "an event must be a JSON object, got null"],
    [[anEventV2()], "an event must be a JSON object, got an array"],
    ["event", "an event must be a JSON object, got string"],
    [42, "an event must be a JSON object, got number"],
  ])("refuses %j as a whole", (input, message) => {
    const result = rejected(reconcile(input));
    expect(result.reason).toBe("schema_violation");
    expect(result.errors).toEqual([{ path: "", message }]);
  });
});
