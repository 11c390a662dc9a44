import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_INGEST_LIMITS,
  DEFAULT_PIPELINE_CONFIG,
  FreshetError,
  ingestLimitsFromEnv,
  pipelineConfigFromEnv,
} from "@freshet/core";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(FreshetError);
    expect((error as Error).name).toBe("ConfigError");
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("defaults", () => {
  it("are the documented limits", () => {
    expect(DEFAULT_PIPELINE_CONFIG).toEqual({
      maxEventAgeMs: 7 * 86_400_000,
      maxFutureSkewMs: 300_000,
      maxEventBytes: 262_144,
      filteredEventTypes: new Set(["heartbeat", "health_check"]),
      maxRevenue: 1_000_000,
      maxPropertiesDepth: 32,
    });
    expect(DEFAULT_INGEST_LIMITS).toEqual({ maxBodyBytes: 5_242_880, maxEventBytes: 262_144, maxEvents: 10_000 });
  });

  it("apply when the variables are unset or empty", () => {
    expect(pipelineConfigFromEnv({})).toEqual(DEFAULT_PIPELINE_CONFIG);
    expect(ingestLimitsFromEnv({})).toEqual(DEFAULT_INGEST_LIMITS);
    expect(ingestLimitsFromEnv({ FRESHET_MAX_BODY_BYTES: "", FRESHET_MAX_EVENTS_PER_REQUEST: undefined })).toEqual(DEFAULT_INGEST_LIMITS);
  });
});

describe("pipelineConfigFromEnv", () => {
  it("reads overrides", () => {
    const config = pipelineConfigFromEnv({
      FRESHET_MAX_EVENT_AGE_DAYS: "30",
      FRESHET_MAX_EVENT_BYTES: "1048576",
      FRESHET_FILTERED_EVENT_TYPES: " heartbeat, synthetic_probe ,,ping ",
    });
    expect(config).toEqual({
      ...DEFAULT_PIPELINE_CONFIG,
      maxEventAgeMs: 30 * 86_400_000,
      maxEventBytes: 1_048_576,
      filteredEventTypes: new Set(["heartbeat", "synthetic_probe", "ping"]),
    });
  });

  it("accepts a fractional age in days", () => {
    expect(pipelineConfigFromEnv({ FRESHET_MAX_EVENT_AGE_DAYS: "0.5" }).maxEventAgeMs).toBe(43_200_000);
  });

  it("turns filtering off with an empty list", () => {
    expect(pipelineConfigFromEnv({ FRESHET_FILTERED_EVENT_TYPES: "" }).filteredEventTypes).toEqual(new Set());
  });

  it.each(["abc", "0", "-1", "Infinity", "NaN", " ", "12abc"])("refuses FRESHET_MAX_EVENT_AGE_DAYS=%j", (raw) => {
    expect(configError(() => pipelineConfigFromEnv({ FRESHET_MAX_EVENT_AGE_DAYS: raw })).message).toBe(
      `FRESHET_MAX_EVENT_AGE_DAYS must be a positive number, got "${raw}"`,
    );
  });

  it("refuses an invalid event size", () => {
    expect(configError(() => pipelineConfigFromEnv({ FRESHET_MAX_EVENT_BYTES: "-5" })).message).toContain("FRESHET_MAX_EVENT_BYTES");
  });
});

describe("ingestLimitsFromEnv", () => {
  it("reads overrides", () => {
    expect(
      ingestLimitsFromEnv({ FRESHET_MAX_BODY_BYTES: "1000000", FRESHET_MAX_EVENT_BYTES: "2048", FRESHET_MAX_EVENTS_PER_REQUEST: "500" }),
    ).toEqual({ maxBodyBytes: 1_000_000, maxEventBytes: 2048, maxEvents: 500 });
  });

  it.each(["FRESHET_MAX_BODY_BYTES", "FRESHET_MAX_EVENT_BYTES", "FRESHET_MAX_EVENTS_PER_REQUEST"])("refuses an invalid %s", (name) => {
    expect(configError(() => ingestLimitsFromEnv({ [name]: "lots" })).message).toBe(`${name} must be a positive number, got "lots"`);
  });
});
