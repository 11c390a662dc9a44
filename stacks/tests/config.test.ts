import { DEFAULT_MAINTENANCE_THRESHOLDS, DEFAULT_PIPELINE_CONFIG, TRANSFORMER_EVENT_SOURCE, TRANSFORMER_FUNCTION } from "@freshet/core";
import { describe, expect, it } from "vitest";
import { checkProtection, DEFAULTS, PROTECTED_STAGES, PROTECTED_STAGES_ENV, stageConfig } from "../config.ts";
import { StageConfigError } from "../errors.ts";

describe("stageConfig", () => {
  it("gives every stage the documented defaults", () => {
    const c = stageConfig("dev-alice", {});
    expect(c).toMatchObject({ stage: "dev-alice", protected: false });
    expect(c.lake).toEqual({ processedExpiryDays: 90, rawDeepArchiveAfterDays: 30, rawExpiryDays: 365 });
    expect(c.transformer).toMatchObject({ memoryMb: TRANSFORMER_FUNCTION.memoryMb, maxEventAgeDays: 7, filteredEventTypes: ["heartbeat", "health_check"] });
    expect(stageConfig("production", {}, {}).protected).toBe(true);
  });

  it("takes the stream consumption settings from @freshet/core, which the local platform reads too", () => {
    const t = stageConfig("ci", {}).transformer;
    expect(t.batchSize).toBe(TRANSFORMER_EVENT_SOURCE.batchSize);
    expect(t.batchingWindowSeconds).toBe(TRANSFORMER_EVENT_SOURCE.maximumBatchingWindowInSeconds);
    expect(t.maxRetryAttempts).toBe(TRANSFORMER_EVENT_SOURCE.maximumRetryAttempts);
    expect(t.maxRecordAgeSeconds).toBe(TRANSFORMER_EVENT_SOURCE.maximumRecordAgeInSeconds);
    expect(t.parallelizationFactor).toBe(TRANSFORMER_EVENT_SOURCE.parallelizationFactor);
    expect(t.maxEventAgeDays * 86_400_000).toBe(DEFAULT_PIPELINE_CONFIG.maxEventAgeMs);
  });

  it("subscribes nobody to MarketingAlerts unless a stage lists addresses, and refuses what SNS's email protocol would not take", () => {
    expect(stageConfig("ci", {}).alerts).toEqual({ marketingEmails: [] });
    expect(stageConfig("production", { alerts: { marketingEmails: ["growth@example.com"] } }).alerts.marketingEmails).toEqual(["growth@example.com"]);
    expect(() => stageConfig("ci", { alerts: { marketingEmails: ["growth team"] } })).toThrow(/not an email address/);
    expect(() => stageConfig("ci", { alerts: { marketingEmails: ["a@example.com", "A@example.com"] } })).toThrow(/twice/);
  });

  it("replaces only the fields a stage overrides", () => {
    const c = stageConfig("staging", { lake: { processedExpiryDays: 14 }, ingest: { maxBodyBytes: 1_000_000 } });
    expect(c.lake).toEqual({ ...DEFAULTS.lake, processedExpiryDays: 14 });
    expect(c.ingest).toEqual({ ...DEFAULTS.ingest, maxBodyBytes: 1_000_000 });
    expect(c.transformer).toEqual(DEFAULTS.transformer);
  });

  it("gives the Maintenance workflow core's thresholds and budget, nightly, and lets a stage override one threshold", () => {
    expect(stageConfig("ci", {}).maintenance).toEqual({ schedule: "cron(17 3 * * ? *)", budgetMinutes: 120, thresholds: DEFAULT_MAINTENANCE_THRESHOLDS });
    const c = stageConfig("staging", { maintenance: { thresholds: { statsOffPct: 20 }, schedule: "cron(30 2 ? * SUN *)" } });
    expect(c.maintenance).toEqual({ schedule: "cron(30 2 ? * SUN *)", budgetMinutes: 120, thresholds: { ...DEFAULT_MAINTENANCE_THRESHOLDS, statsOffPct: 20 } });
  });

  it.each([
    ["raw/ leaving Deep Archive before 180 days", { lake: { rawDeepArchiveAfterDays: 200 } }, /180 days/],
    ["infinite retries", { transformer: { maxRetryAttempts: -1 } }, /maxRetryAttempts/],
    ["infinite record age", { transformer: { maxRecordAgeSeconds: -1 } }, /maxRecordAgeSeconds/],
    ["a record age beyond the stream's retention", { transformer: { maxRecordAgeSeconds: 172_800 } }, /retention/],
    ["a batch larger than Lambda allows", { transformer: { batchSize: 20_000 } }, /batchSize/],
    ["an ingest timeout beyond API Gateway's", { ingest: { timeoutSeconds: 60 } }, /30 s/],
    ["a fractional expiry", { lake: { processedExpiryDays: 1.5 } }, /processedExpiryDays/],
    ["a malformed filtered event type", { transformer: { filteredEventTypes: ["Heart Beat"] } }, /Heart Beat/],
    ["a maintenance threshold over 100 %", { maintenance: { thresholds: { statsOffPct: 150 } } }, /statsOffPct/],
    ["a maintenance schedule Scheduler refuses", { maintenance: { schedule: "cron(0 3 * * * *)" } }, /maintenance/],
    ["a maintenance schedule that is not a cron", { maintenance: { schedule: "rate(1 day)" } }, /cron/],
    ["a maintenance budget over a day", { maintenance: { budgetMinutes: 2000 } }, /budgetMinutes/],
    // A batch's dead letters can land in its arrival day up to the stream's retention later.
    ["a triage sweep that looks back less than the stream keeps records", { stream: { retentionHours: 168 }, triage: { sweepLookbackDays: 7 } }, /sweepLookbackDays must be an integer in 8\.\./],
  ])("rejects %s", (_, overrides, message) => {
    expect(() => stageConfig("bad", overrides)).toThrow(StageConfigError);
    expect(() => stageConfig("bad", overrides)).toThrow(message);
  });

  it.each([
    ["fewer than three subnets", { warehouse: { subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] } }, /at least three subnets/],
    ["a subnet that is not a subnet id", { warehouse: { subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "vpc-0123456789abcdef2"] } }, /not a subnet id/],
    ["a subnet listed twice", { warehouse: { subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] } }, /twice/],
    ["an empty security group list", { warehouse: { securityGroupIds: [] } }, /securityGroupIds/],
    ["a security group that is not one", { warehouse: { securityGroupIds: ["default"] } }, /not a security group id/],
  ])("rejects %s for the workgroup", (_, overrides, message) => {
    expect(() => stageConfig("bad", overrides)).toThrow(StageConfigError);
    expect(() => stageConfig("bad", overrides)).toThrow(message);
  });

  it("takes the workgroup's subnets and security groups when a stage names them, and leaves them unset otherwise", () => {
    const subnetIds = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"];
    expect(stageConfig("staging", { warehouse: { subnetIds, securityGroupIds: ["sg-0123456789abcdef0"] } }).warehouse).toMatchObject({
      subnetIds,
      securityGroupIds: ["sg-0123456789abcdef0"],
    });
    expect(stageConfig("ci", {}).warehouse.subnetIds).toBeUndefined();
  });
});

describe("protected stages", () => {
  it("protects production and prod by default, with headroom on the warehouse, and no other stage", () => {
    for (const stage of ["production", "prod"]) {
      const c = stageConfig(stage, {}, {});
      expect(c.protected, stage).toBe(true);
      expect(c.warehouse.baseCapacityRpu, stage).toBe(32);
    }
    for (const stage of ["staging", "dev-alice", "ci", "Production", "prod-eu"]) {
      expect(stageConfig(stage, {}, {}).protected, stage).toBe(false);
      expect(stageConfig(stage, {}, {}).warehouse.baseCapacityRpu, stage).toBe(DEFAULTS.warehouse.baseCapacityRpu);
    }
    // A stage's own overrides still win over the protected defaults.
    expect(stageConfig("prod", { warehouse: { baseCapacityRpu: 64 } }, {}).warehouse.baseCapacityRpu).toBe(64);
  });

  it("protects the stages FRESHET_PROTECTED_STAGES names, comma-separated", () => {
    const env = { [PROTECTED_STAGES_ENV]: " staging, qa ,," };
    expect(stageConfig("staging", {}, env).protected).toBe(true);
    expect(stageConfig("qa", {}, env).protected).toBe(true);
    expect(stageConfig("prod", {}, env).protected).toBe(true);
    expect(stageConfig("", {}, env).protected).toBe(false);
    expect(stageConfig("dev-alice", {}, env).protected).toBe(false);
  });

  it("agrees with sst.config.ts, whose app() decides removal and protect and cannot import this list", async () => {
    (globalThis as Record<string, unknown>).$config = (input: unknown) => input;
    const { app } = (await import("../../sst.config.ts")).default as unknown as {
      app(input: { stage: string }): { removal: string; protect: boolean };
    };
    const previous = process.env[PROTECTED_STAGES_ENV];
    try {
      for (const variable of [undefined, "staging,qa", " staging , qa "]) {
        if (variable === undefined) delete process.env[PROTECTED_STAGES_ENV];
        else process.env[PROTECTED_STAGES_ENV] = variable;
        for (const stage of [...PROTECTED_STAGES, "staging", "qa", "dev-alice", "ci"]) {
          const declared = app({ stage });
          const expected = stageConfig(stage, {}, process.env).protected;
          expect({ stage, variable, protect: declared.protect, removal: declared.removal }).toEqual({
            stage,
            variable,
            protect: expected,
            removal: expected ? "retain" : "remove",
          });
        }
      }
    } finally {
      if (previous === undefined) delete process.env[PROTECTED_STAGES_ENV];
      else process.env[PROTECTED_STAGES_ENV] = previous;
    }
  });

  it("fails the deploy when the app and the stage config disagree", () => {
    expect(() => checkProtection(stageConfig("prod", {}, {}), { protect: false })).toThrow(StageConfigError);
    expect(() => checkProtection(stageConfig("dev-alice", {}, {}), { protect: true })).toThrow(/PROTECTED_STAGES/);
    expect(() => checkProtection(stageConfig("prod", {}, {}), { protect: true })).not.toThrow();
  });
});
