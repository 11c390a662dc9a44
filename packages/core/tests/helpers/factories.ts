/**
 * Test events shared by the core tests, built by small factories: one valid event per schema
 * version as a producer sends it, and the canonical event validation makes of it; a test
 * overrides only the fields it is about.
 */
import type { CanonicalEvent, EventV1, EventV2 } from "@freshet/core";

/** A payload's fields, named as the schema names them, with any value: tests send invalid ones on purpose. */
export type PayloadOverrides<Event> = { readonly [Field in keyof Event]?: unknown } & Record<string, unknown>;

/** The stream arrival most tests judge events against. */
export const ARRIVAL = new Date("2026-11-26T10:30:00.000Z");

/** Overrides set to `undefined` remove the field, as a JSON payload would not carry it. */
function withoutUndefined(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined));
}

/** A valid v2 event that occurred 15 minutes before `ARRIVAL`. */
export function anEventV2(overrides: PayloadOverrides<EventV2> = {}): Record<string, unknown> {
  return withoutUndefined({
    schema_version: 2,
    event_id: "evt-0001",
    event_type: "page_view",
    occurred_at: "2026-11-26T10:15:00Z",
    user_id: "user-42",
    account_id: "acct-7",
    ...overrides,
  });
}

/** The same event as a legacy v1 producer sends it: camelCase, unix seconds, integer ids allowed. */
export function anEventV1(overrides: PayloadOverrides<EventV1> = {}): Record<string, unknown> {
  return withoutUndefined({
    eventId: "evt-0001",
    type: "page_view",
    timestamp: 1_795_688_100, // 2026-11-26T10:15:00Z
    userId: "user-42",
    accountId: "acct-7",
    ...overrides,
  });
}

/** A valid canonical event (what reconciliation yields from a payload like these), 15 minutes before `ARRIVAL`. */
export function aCanonicalEvent(overrides: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    eventId: "evt-1",
    eventType: "page_view",
    occurredAt: new Date(ARRIVAL.getTime() - 15 * 60_000),
    userId: "user-42",
    accountId: "acct-7",
    campaignId: null,
    adGroupId: null,
    adId: null,
    keyword: null,
    channel: null,
    revenue: null,
    currency: null,
    properties: {},
    sourceSchemaVersion: 2,
    ...overrides,
  };
}

/** UTF-8 bytes of a JSON value, or of a string taken as already-encoded JSON text. */
export function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
}
