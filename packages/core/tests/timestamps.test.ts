import { describe, expect, it } from "vitest";
import { formatIsoUtc, isEpoch, isIsoWithOffset, parseEventTime } from "@freshet/core";

const iso = (value: string | number) => parseEventTime(value)?.toISOString();

describe("ISO-8601 event times", () => {
  it.each([
    ["2026-11-26T10:00:00Z", "2026-11-26T10:00:00.000Z"],
    ["2026-11-26T10:00Z", "2026-11-26T10:00:00.000Z"],
    ["2026-11-26T10:00:00+05:30", "2026-11-26T04:30:00.000Z"],
    ["2026-11-26T10:00:00+0530", "2026-11-26T04:30:00.000Z"],
    ["2026-11-26T10:00:00-08:00", "2026-11-26T18:00:00.000Z"],
    ["2026-11-26T20:00:00-0800", "2026-11-27T04:00:00.000Z"],
    ["2026-11-26T00:30:00+01:00", "2026-11-25T23:30:00.000Z"],
    ["2026-11-26T10:00:00+23:59", "2026-11-25T10:01:00.000Z"],
    ["2026-11-26T10:00:00.5Z", "2026-11-26T10:00:00.500Z"],
    ["2026-11-26T10:00:00.123Z", "2026-11-26T10:00:00.123Z"],
    ["2026-11-26T10:00:00.123456789Z", "2026-11-26T10:00:00.123Z"],
    ["2026-11-26T10:00:00.999999999-01:00", "2026-11-26T11:00:00.999Z"],
    ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"],
    ["2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
    ["0000-02-29T00:00:00Z", "0000-02-29T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
  ])("%s is the instant %s", (input, expected) => {
    expect(isIsoWithOffset(input)).toBe(true);
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ["no offset", "2026-11-26T10:00:00"],
    ["no offset, with fraction", "2026-11-26T10:00:00.123"],
    ["date only", "2026-11-26"],
    ["space instead of T", "2026-11-26 10:00:00Z"],
    ["lower-case z", "2026-11-26T10:00:00z"],
    ["ten fraction digits", "2026-11-26T10:00:00.1234567890Z"],
    ["fraction without seconds", "2026-11-26T10:00.5Z"],
    ["offset without minutes", "2026-11-26T10:00:00+05"],
    ["February 30th", "2026-02-30T00:00:00Z"],
    ["February 29th of a common year", "2026-02-29T00:00:00Z"],
    ["February 29th of 1900", "1900-02-29T00:00:00Z"],
    ["April 31st", "2026-04-31T00:00:00Z"],
    ["month 13", "2026-13-01T00:00:00Z"],
    ["month 00", "2026-00-10T00:00:00Z"],
    ["day 00", "2026-11-00T00:00:00Z"],
    ["hour 24", "2026-11-26T24:00:00Z"],
    ["minute 60", "2026-11-26T10:60:00Z"],
    ["leap second", "2026-12-31T23:59:60Z"],
    ["offset hour 24", "2026-11-26T10:00:00+24:00"],
    ["offset minute 60", "2026-11-26T10:00:00+05:60"],
    ["trailing text", "2026-11-26T10:00:00Z "],
    ["empty", ""],
  ])("rejects %s (%s)", (_why, input) => {
    expect(isIsoWithOffset(input)).toBe(false);
    expect(parseEventTime(input)).toBeUndefined();
  });
});

describe("epoch event times", () => {
  it.each([
    [0, "1970-01-01T00:00:00.000Z"],
    [1_795_688_100, "2026-11-26T10:15:00.000Z"], // seconds (legacy producers)
    [1_795_688_100_000, "2026-11-26T10:15:00.000Z"], // milliseconds (browsers)
    [1_795_688_100.25, "2026-11-26T10:15:00.250Z"],
    [-1, "1969-12-31T23:59:59.000Z"],
    // The boundary: below 1e11 is seconds (year 5138), from 1e11 on milliseconds (1973).
    [99_999_999_999, "5138-11-16T09:46:39.000Z"],
    [100_000_000_000, "1973-03-03T09:46:40.000Z"],
    [8.64e15, "+275760-09-13T00:00:00.000Z"],
    [-8.64e15, "-271821-04-20T00:00:00.000Z"],
  ])("%d is the instant %s", (input, expected) => {
    expect(isEpoch(input)).toBe(true);
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["beyond the Date range", 8.64e15 + 1],
    ["below the Date range", -8.64e15 - 1],
  ])("rejects %s", (_why, input) => {
    expect(isEpoch(input)).toBe(false);
    expect(parseEventTime(input)).toBeUndefined();
  });

  it("names the same instant in ISO, seconds and milliseconds form", () => {
    const forms = ["2026-11-26T11:15:00+01:00", 1_795_688_100, 1_795_688_100_000].map((f) => parseEventTime(f)?.getTime());
    expect(new Set(forms)).toEqual(new Set([Date.UTC(2026, 10, 26, 10, 15)]));
  });
});

describe("the canonical form and formatIsoUtc", () => {
  /** Deterministic instants over a wide range, including the ends of the 4-digit years. */
  const instants = [
    0,
    -1,
    Date.UTC(0, 0, 1) - 1,
    Date.UTC(0, 0, 1),
    -62_135_596_800_000, // 0001-01-01
    Date.UTC(2000, 1, 29, 23, 59, 59, 999),
    Date.UTC(2026, 10, 26, 10, 15, 0, 7),
    253_402_300_799_999, // 9999-12-31T23:59:59.999Z
    253_402_300_800_000, // +010000-01-01
    8.64e15,
    -8.64e15,
    ...Array.from({ length: 2000 }, (_, i) => Math.round(Math.sin(i + 1) * 1e14) + i * 7919),
  ];

  it("formats every instant exactly as Date.prototype.toISOString does", () => {
    for (const ms of instants) {
      const date = new Date(ms);
      expect(formatIsoUtc(date), String(ms)).toBe(date.toISOString());
    }
  });

  it("reads every canonical timestamp of the years 0000–9999 back to its instant", () => {
    for (const ms of instants) {
      const text = new Date(ms).toISOString();
      if (text.length !== 24) continue; // ±YYYYYY years are not ISO-with-offset input
      expect(parseEventTime(text)?.getTime(), text).toBe(ms);
    }
  });

  it.each([
    "2026-02-30T00:00:00.000Z",
    "2026-02-29T00:00:00.000Z",
    "2026-13-01T00:00:00.000Z",
    "2026-00-01T00:00:00.000Z",
    "2026-11-00T00:00:00.000Z",
    "2026-11-26T24:00:00.000Z",
    "2026-11-26T10:60:00.000Z",
    "2026-12-31T23:59:60.000Z",
    "2026-11-26T10:00:00.000z",
    "2026-11-26T10:00:00,000Z",
    "2026-11-26T1a:00:00.000Z",
  ])("rejects %s, which has the canonical shape but names no instant", (input) => {
    expect(isIsoWithOffset(input)).toBe(false);
    expect(parseEventTime(input)).toBeUndefined();
  });

  it("answers each of several timestamps correctly when they alternate", () => {
    const a = "2026-11-26T10:00:00.000Z";
    const b = "2026-11-26T11:00:00+01:00";
    for (let i = 0; i < 3; i++) {
      expect(parseEventTime(a)?.toISOString()).toBe(a);
      expect(parseEventTime(b)?.toISOString()).toBe(a);
      expect(parseEventTime("2026-02-30T00:00:00.000Z")).toBeUndefined();
    }
  });
});
