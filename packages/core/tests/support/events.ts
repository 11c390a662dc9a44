/** Event builders shared by the core tests: one valid event per schema version, overridable. */

/** The stream arrival most tests judge events against. */
export const ARRIVAL = new Date("2026-11-26T10:30:00.000Z");

/** Overrides set to `undefined` remove the field, as a JSON payload would not carry it. */
function withoutUndefined(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined));
}

/** A valid v2 event that occurred 15 minutes before `ARRIVAL`. */
export function v2Event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
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
export function v1Event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withoutUndefined({
    eventId: "evt-0001",
    type: "page_view",
    timestamp: 1_795_688_100, // 2026-11-26T10:15:00Z
    userId: "user-42",
    accountId: "acct-7",
    ...overrides,
  });
}

/** UTF-8 bytes of a JSON value, or of a string taken as already-encoded JSON text. */
export function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
}
