import { describe, expect, it } from "vitest";
import { InvalidMaintenanceLeaseError, leaseIsLive, parseMaintenanceLease } from "@freshet/core";

describe("the maintenance lease", () => {
  const lease = { holder: "nightly-1", table: "events", until: "2026-12-07T03:30:00.000Z" };

  it("is live until its until, and lapses then", () => {
    const parsed = parseMaintenanceLease(JSON.stringify(lease));
    expect(parsed).toEqual(lease);
    expect(leaseIsLive(parsed, new Date("2026-12-07T03:29:59.999Z"))).toBe(true);
    expect(leaseIsLive(parsed, new Date("2026-12-07T03:30:00.000Z"))).toBe(false);
  });

  it.each([["not json"], ["null"], [JSON.stringify({ holder: "x", table: "events" })], [JSON.stringify({ ...lease, until: "soon" })]])(
    "refuses %s with a typed error",
    (text) => {
      expect(() => parseMaintenanceLease(text)).toThrow(InvalidMaintenanceLeaseError);
    },
  );
});
