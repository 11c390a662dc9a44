import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_TRIAGE_SETTINGS,
  deadLetterKey,
  deadLetterKeyOfClaim,
  deadLetterKeyOfDone,
  deadLetterPath,
  partitionsFrom,
  quarantineKey,
  TRIAGE_LEASE_KEY,
  TRIAGE_PREFIXES,
  triageClaimKey,
  triageDoneKey,
  triageEnvironment,
  triageRedriveKey,
  triageSettingsFromEnv,
  triageSummaryKey,
} from "@freshet/core";

const KEY = deadLetterKey({ shardId: "shardId-000000000001", firstSequenceNumber: "100", lastSequenceNumber: "200", firstArrival: new Date("2026-12-01T10:00:00Z") }, "schema_violation");

describe("triage keys", () => {
  it("reads the transformer's dead-letter keys and nothing else under dlq/", () => {
    expect(deadLetterPath(KEY)).toEqual({ dt: "2026-12-01", reason: "schema_violation", batch: "shardId-000000000001-100-200" });
    expect(KEY.startsWith(TRIAGE_PREFIXES.deadLetters)).toBe(true);
    for (const own of [TRIAGE_LEASE_KEY, triageDoneKey(KEY), quarantineKey(KEY, "schema_violation"), triageSummaryKey(new Date(), "e")]) {
      expect(own.startsWith(TRIAGE_PREFIXES.deadLetters)).toBe(false);
      expect(deadLetterPath(own)).toBeUndefined();
    }
  });

  it("maps a dead letter to its markers and back", () => {
    expect(triageDoneKey(KEY)).toBe("dlq/triage/ledger/dt=2026-12-01/reason=schema_violation/shardId-000000000001-100-200.done.json");
    expect(triageRedriveKey(KEY)).toBe("dlq/triage/ledger/dt=2026-12-01/reason=schema_violation/shardId-000000000001-100-200.redrive.json");
    expect(deadLetterKeyOfDone(triageDoneKey(KEY))).toBe(KEY);
    expect(deadLetterKeyOfDone(triageRedriveKey(KEY))).toBeUndefined();
  });

  it("claims an object under its own day, and lists a prefix's days from one on", () => {
    expect(triageClaimKey(KEY)).toBe("dlq/triage/claims/dt=2026-12-01/reason=schema_violation/shardId-000000000001-100-200.json");
    expect(deadLetterKeyOfClaim(triageClaimKey(KEY))).toBe(KEY);
    expect(deadLetterKeyOfClaim(triageDoneKey(KEY))).toBeUndefined();
    for (const prefix of [TRIAGE_PREFIXES.deadLetters, TRIAGE_PREFIXES.ledger, TRIAGE_PREFIXES.claims]) {
      const own = prefix === TRIAGE_PREFIXES.deadLetters ? KEY : prefix === TRIAGE_PREFIXES.ledger ? triageDoneKey(KEY) : triageClaimKey(KEY);
      // S3 lists in UTF-8 byte order: StartAfter the day itself keeps that day and drops the one before.
      expect(own > partitionsFrom(prefix, "2026-12-01")).toBe(true);
      expect(own > partitionsFrom(prefix, "2026-12-02")).toBe(false);
      expect(own.replace("2026-12-01", "2026-11-30") > partitionsFrom(prefix, "2026-12-01")).toBe(false);
    }
  });

  it("quarantines by the dead letter's own day and batch, so a repeat overwrites", () => {
    expect(quarantineKey(KEY, "unreadable")).toBe("dlq/quarantine/dt=2026-12-01/reason=unreadable/shardId-000000000001-100-200.ndjson.gz");
  });
});

describe("triage settings", () => {
  it("round-trips through the functions' environment, defaults when unset", () => {
    const s = { debounceSeconds: 5, maxObjectsPerRun: 10, alertThreshold: 0, alertCooldownMinutes: 15, sweepLookbackDays: 30 };
    expect(triageSettingsFromEnv(triageEnvironment(s))).toEqual(s);
    expect(triageSettingsFromEnv({})).toEqual(DEFAULT_TRIAGE_SETTINGS);
  });

  it("refuses a value it cannot use", () => {
    expect(() => triageSettingsFromEnv({ FRESHET_TRIAGE_MAX_OBJECTS: "0" })).toThrow(ConfigError);
    expect(() => triageSettingsFromEnv({ FRESHET_TRIAGE_DEBOUNCE_SECONDS: "soon" })).toThrow(/FRESHET_TRIAGE_DEBOUNCE_SECONDS/);
    expect(() => triageSettingsFromEnv({ FRESHET_TRIAGE_SWEEP_LOOKBACK_DAYS: "0" })).toThrow(/FRESHET_TRIAGE_SWEEP_LOOKBACK_DAYS/);
  });
});
