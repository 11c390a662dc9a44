import {
  DEFAULT_MAINTENANCE_SCHEDULE,
  DEFAULT_MAINTENANCE_SETTINGS,
  DEFAULT_PIPELINE_CONFIG,
  maintenanceSettings,
  type MaintenanceThresholds,
  DEFAULT_TRIAGE_SETTINGS,
  INGEST_FUNCTION,
  TRANSFORMER_EVENT_SOURCE,
  TRANSFORMER_FUNCTION,
  type TriageSettings,
} from "@freshet/core";
import { Maintenance, MAINTENANCE_SCHEDULE_NAME, checkWorkflows } from "@freshet/workflows";
import { StageConfigError } from "./errors.ts";

/**
 * Per-stage settings of Freshet's infrastructure. Every stage starts from `DEFAULTS` (a protected
 * stage from `PROTECTED_DEFAULTS`); a stage listed in `STAGE_OVERRIDES` replaces only the fields
 * it names. `stageConfig()` validates the result, so a bad override fails `sst deploy` (and the
 * synth test) before anything is created.
 */
export interface StageConfig {
  readonly stage: string;
  /**
   * A protected stage keeps its data on `sst remove` and refuses removal altogether (`protect`):
   * `PROTECTED_STAGES`, plus any stage named in `FRESHET_PROTECTED_STAGES` (`isProtectedStage`).
   */
  readonly protected: boolean;
  readonly lake: LakeConfig;
  readonly stream: StreamConfig;
  readonly ingest: IngestConfig;
  readonly transformer: TransformerConfig;
  readonly warehouse: WarehouseConfig;
  readonly maintenance: MaintenanceConfig;
  /** Dead-letter triage: debounce, objects per execution, alert threshold (defaults in core). */
  readonly triage: TriageSettings;
  /** The SageMaker endpoint scoring business metrics (`stacks/anomaly.ts`). */
  readonly anomaly: AnomalyConfig;
  /** Who is subscribed to the alert topics (`stacks/alerts.ts`). */
  readonly alerts: AlertsConfig;
  /** Alarm thresholds (`stacks/monitoring.ts`). */
  readonly monitoring: MonitoringConfig;
}

export interface MonitoringConfig {
  /** Dead-lettered / received over five minutes above which OpsAlerts is told (0 < rate ≤ 1). */
  readonly deadLetterRate: number;
  /** The transformer's consumer lag (the stream's iterator age) that alarms, seconds; below the mapping's maximum record age, or records are lost first. */
  readonly consumerLagSeconds: number;
}

export interface AlertsConfig {
  /** Email addresses subscribed to MarketingAlerts (each confirms SNS's subscription email once). */
  readonly marketingEmails: readonly string[];
}

/** Freshet's own RCF endpoint (model, configuration, endpoint), or one the stage already has. */
export interface AnomalyConfig {
  /** Use this existing SageMaker endpoint instead of creating one (its model is yours to train). */
  readonly existingEndpointName?: string;
  /** The hosting instance (real-time inference); RCF scores a few hundred points per call. */
  readonly instanceType: string;
  readonly instanceCount: number;
}

export interface LakeConfig {
  /** processed/ is the hot copy the warehouse loads from; the warehouse keeps history after that. */
  readonly processedExpiryDays: number;
  /** raw/ is the immutable audit copy: cheap storage after this many days… */
  readonly rawDeepArchiveAfterDays: number;
  /** …and deleted after this many days (Deep Archive bills at least 180 days per object). */
  readonly rawExpiryDays: number;
}

export interface StreamConfig {
  /** Kinesis retention. A failure record on the TransformerFailures queue points at records in the
   *  stream, so this is also how long a failed batch can be replayed (24 h is the AWS minimum). */
  readonly retentionHours: number;
}

export interface IngestConfig {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Overrides of the limits whose defaults live in `@freshet/core` (`DEFAULT_INGEST_LIMITS`);
   *  unset means the code's default applies. */
  readonly maxBodyBytes?: number;
  readonly maxEventBytes?: number;
}

export interface TransformerConfig {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Event source mapping: records per invocation and how long Lambda may wait to fill a batch. */
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /** Bounded retries and record age: AWS's defaults (-1 = forever) let one poison record block its
   *  shard until the record expires from the stream. */
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  /** Concurrent batches per shard (1–10); order within a partition key is kept either way. */
  readonly parallelizationFactor: number;
  /** Events older than this (by `occurred_at`) are dead-lettered as too old. */
  readonly maxEventAgeDays: number;
  /** Liveness pings counted and dropped before storage. */
  readonly filteredEventTypes: readonly string[];
}

export interface WarehouseConfig {
  /** Redshift Serverless base capacity (RPU): what queries get before scaling; 8..512 in steps of 8. */
  readonly baseCapacityRpu: number;
  /**
   * The workgroup's subnets: at least three, in three Availability Zones, with enough free
   * addresses for the base capacity (Redshift Serverless). Unset, AWS places the workgroup in the
   * account's default VPC, so an account without one must set them.
   */
  readonly subnetIds?: readonly string[];
  /** The workgroup's security groups (in the subnets' VPC); unset, the VPC's default group. */
  readonly securityGroupIds?: readonly string[];
  /** How often the Load workflow starts (EventBridge Scheduler `rate`, whole minutes, at least 1). */
  readonly loadIntervalMinutes: number;
}

/** The Maintenance workflow's nightly run: when, how long, and when a table needs VACUUM/ANALYZE. */
export interface MaintenanceConfig {
  /** EventBridge Scheduler `cron(…)`, UTC: off-peak for the stage's users. */
  readonly schedule: string;
  /** Minutes the run may spend starting operations; tables not reached are deferred to the next night. */
  readonly budgetMinutes: number;
  /** core's thresholds (defaults: the awslabs Analyze & Vacuum Utility's). */
  readonly thresholds: MaintenanceThresholds;
}

export type StageOverrides = {
  readonly [K in keyof Omit<StageConfig, "stage" | "protected" | "maintenance">]?: Partial<StageConfig[K]>;
} & {
  /** Thresholds too are overridden one by one. */
  readonly maintenance?: Partial<Omit<MaintenanceConfig, "thresholds">> & { readonly thresholds?: Partial<MaintenanceThresholds> };
};

/** Function sizing, stream consumption and validation defaults come from `@freshet/core`, which
 *  the local platform reads too, so AWS and the local run behave alike unless a stage overrides. */
export const DEFAULTS: Omit<StageConfig, "stage" | "protected"> = {
  lake: { processedExpiryDays: 90, rawDeepArchiveAfterDays: 30, rawExpiryDays: 365 },
  stream: { retentionHours: 24 },
  ingest: { memoryMb: INGEST_FUNCTION.memoryMb, timeoutSeconds: INGEST_FUNCTION.timeoutSeconds },
  transformer: {
    memoryMb: TRANSFORMER_FUNCTION.memoryMb,
    timeoutSeconds: TRANSFORMER_FUNCTION.timeoutSeconds,
    batchSize: TRANSFORMER_EVENT_SOURCE.batchSize,
    batchingWindowSeconds: TRANSFORMER_EVENT_SOURCE.maximumBatchingWindowInSeconds,
    maxRetryAttempts: TRANSFORMER_EVENT_SOURCE.maximumRetryAttempts,
    maxRecordAgeSeconds: TRANSFORMER_EVENT_SOURCE.maximumRecordAgeInSeconds,
    parallelizationFactor: TRANSFORMER_EVENT_SOURCE.parallelizationFactor,
    maxEventAgeDays: DEFAULT_PIPELINE_CONFIG.maxEventAgeMs / 86_400_000,
    filteredEventTypes: [...DEFAULT_PIPELINE_CONFIG.filteredEventTypes],
  },
  warehouse: { baseCapacityRpu: 8, loadIntervalMinutes: 5 },
  maintenance: {
    schedule: DEFAULT_MAINTENANCE_SCHEDULE,
    budgetMinutes: DEFAULT_MAINTENANCE_SETTINGS.budgetMinutes,
    thresholds: DEFAULT_MAINTENANCE_SETTINGS.thresholds,
  },
  triage: DEFAULT_TRIAGE_SETTINGS,
  anomaly: { instanceType: "ml.m5.large", instanceCount: 1 },
  alerts: { marketingEmails: [] },
  monitoring: { deadLetterRate: 0.05, consumerLagSeconds: 600 },
};

/**
 * Stages protected whatever the environment says. sst.config.ts's `app()` cannot import this
 * module (SST forbids imports there) and repeats the list and the variable below: a test
 * (config.test.ts) and `checkProtection` in `run()` keep the two in step.
 */
export const PROTECTED_STAGES: readonly string[] = ["production", "prod"];

/** Comma-separated further stages to protect, e.g. `FRESHET_PROTECTED_STAGES=staging` in `.env` (SST loads it for `app()` and `run()`). */
export const PROTECTED_STAGES_ENV = "FRESHET_PROTECTED_STAGES";

export function isProtectedStage(stage: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const extra = (env[PROTECTED_STAGES_ENV] ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  return [...PROTECTED_STAGES, ...extra].includes(stage);
}

/** Dashboards and the 5-minute loads share the workgroup: a protected stage starts with headroom. */
export const PROTECTED_DEFAULTS: Omit<StageConfig, "stage" | "protected"> = {
  ...DEFAULTS,
  warehouse: { ...DEFAULTS.warehouse, baseCapacityRpu: 32 },
};

/** Stages that differ from their defaults, e.g. `{ "dev-alice": { lake: { processedExpiryDays: 7 } } }`. */
export const STAGE_OVERRIDES: Readonly<Record<string, StageOverrides>> = {};

export function stageConfig(
  stage: string,
  overrides: StageOverrides = STAGE_OVERRIDES[stage] ?? {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): StageConfig {
  const isProtected = isProtectedStage(stage, env);
  const defaults = isProtected ? PROTECTED_DEFAULTS : DEFAULTS;
  const config: StageConfig = {
    stage,
    protected: isProtected,
    lake: { ...defaults.lake, ...overrides.lake },
    stream: { ...defaults.stream, ...overrides.stream },
    ingest: { ...defaults.ingest, ...overrides.ingest },
    transformer: { ...defaults.transformer, ...overrides.transformer },
    warehouse: { ...defaults.warehouse, ...overrides.warehouse },
    maintenance: {
      ...defaults.maintenance,
      ...overrides.maintenance,
      thresholds: { ...defaults.maintenance.thresholds, ...overrides.maintenance?.thresholds },
    },
    triage: { ...defaults.triage, ...overrides.triage },
    anomaly: { ...defaults.anomaly, ...overrides.anomaly },
    alerts: { ...defaults.alerts, ...overrides.alerts },
    monitoring: { ...defaults.monitoring, ...overrides.monitoring },
  };
  validate(config);
  return config;
}

/**
 * Fails the deploy when sst.config.ts's `app()` (which decides `removal` and `protect`) and this
 * module disagree on whether the stage is protected: the lake and warehouse must follow the app.
 */
export function checkProtection(config: StageConfig, app: { readonly protect: boolean }): void {
  if (config.protected !== app.protect) {
    throw new StageConfigError(
      config.stage,
      `sst.config.ts ${app.protect ? "protects" : "does not protect"} this stage but stacks/config.ts ${config.protected ? "does" : "does not"}: ` +
        `keep its protected stages in step with PROTECTED_STAGES and ${PROTECTED_STAGES_ENV}`,
    );
  }
}

function validate(c: StageConfig): void {
  const fail = (message: string): never => {
    throw new StageConfigError(c.stage, message);
  };
  const { lake, stream, ingest, transformer: t, warehouse: w } = c;
  for (const [name, value] of Object.entries({
    "lake.processedExpiryDays": lake.processedExpiryDays,
    "lake.rawDeepArchiveAfterDays": lake.rawDeepArchiveAfterDays,
    "lake.rawExpiryDays": lake.rawExpiryDays,
    "ingest.memoryMb": ingest.memoryMb,
    "ingest.timeoutSeconds": ingest.timeoutSeconds,
    "transformer.memoryMb": t.memoryMb,
    "transformer.timeoutSeconds": t.timeoutSeconds,
    "transformer.batchSize": t.batchSize,
    "transformer.maxRecordAgeSeconds": t.maxRecordAgeSeconds,
    "transformer.maxEventAgeDays": t.maxEventAgeDays,
    "transformer.parallelizationFactor": t.parallelizationFactor,
  })) {
    if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer, got ${value}`);
  }
  if (lake.rawExpiryDays - lake.rawDeepArchiveAfterDays < 180) {
    fail(
      `raw/ must stay at least 180 days in Deep Archive (its minimum billed duration): ` +
        `transition after ${lake.rawDeepArchiveAfterDays} days, expiry after ${lake.rawExpiryDays}`,
    );
  }
  if (!Number.isInteger(stream.retentionHours) || stream.retentionHours < 24 || stream.retentionHours > 8760) {
    fail(`stream.retentionHours must be an integer in 24..8760, got ${stream.retentionHours}`);
  }
  // Kinesis event source mapping limits (Lambda API).
  if (t.batchSize > 10_000) fail(`transformer.batchSize must be at most 10000, got ${t.batchSize}`);
  if (!Number.isInteger(t.batchingWindowSeconds) || t.batchingWindowSeconds < 0 || t.batchingWindowSeconds > 300) {
    fail(`transformer.batchingWindowSeconds must be an integer in 0..300, got ${t.batchingWindowSeconds}`);
  }
  if (!Number.isInteger(t.maxRetryAttempts) || t.maxRetryAttempts < 0 || t.maxRetryAttempts > 10_000) {
    fail(`transformer.maxRetryAttempts must be an integer in 0..10000 (never -1 = infinite), got ${t.maxRetryAttempts}`);
  }
  if (t.maxRecordAgeSeconds < 60 || t.maxRecordAgeSeconds > 604_800) {
    fail(`transformer.maxRecordAgeSeconds must be in 60..604800 (never -1 = infinite), got ${t.maxRecordAgeSeconds}`);
  }
  if (t.maxRecordAgeSeconds > stream.retentionHours * 3600) {
    fail(`transformer.maxRecordAgeSeconds (${t.maxRecordAgeSeconds}) exceeds the stream's retention`);
  }
  if (t.parallelizationFactor > 10) fail(`transformer.parallelizationFactor must be at most 10`);
  if (t.timeoutSeconds > 900 || ingest.timeoutSeconds > 30) {
    fail(`timeouts must fit Lambda (900 s) and API Gateway's integration limit for the ingest (30 s)`);
  }
  for (const [name, value] of Object.entries({ maxBodyBytes: ingest.maxBodyBytes, maxEventBytes: ingest.maxEventBytes })) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      fail(`ingest.${name} must be a positive integer when set, got ${value}`);
    }
  }
  if (!Number.isInteger(w.baseCapacityRpu) || w.baseCapacityRpu < 8 || w.baseCapacityRpu > 512 || w.baseCapacityRpu % 8 !== 0) {
    fail(`warehouse.baseCapacityRpu must be 8..512 in steps of 8 (Redshift Serverless), got ${w.baseCapacityRpu}`);
  }
  validateNetwork(w, fail);
  // EventBridge Scheduler's rate() has whole minutes at best.
  if (!Number.isInteger(w.loadIntervalMinutes) || w.loadIntervalMinutes < 1 || w.loadIntervalMinutes > 1440) {
    fail(`warehouse.loadIntervalMinutes must be an integer in 1..1440, got ${w.loadIntervalMinutes}`);
  }
  validateMaintenance(c.maintenance, fail);
  validateAnomaly(c.anomaly, fail);
  validateAlerts(c.alerts, fail);
  const mo = c.monitoring;
  if (!(mo.deadLetterRate > 0 && mo.deadLetterRate <= 1)) fail(`monitoring.deadLetterRate must be in (0, 1], got ${mo.deadLetterRate}`);
  if (!Number.isInteger(mo.consumerLagSeconds) || mo.consumerLagSeconds < 60 || mo.consumerLagSeconds >= t.maxRecordAgeSeconds) {
    fail(`monitoring.consumerLagSeconds must be an integer from 60 to below transformer.maxRecordAgeSeconds (${t.maxRecordAgeSeconds}), got ${mo.consumerLagSeconds}`);
  }
  const tr = c.triage;
  if (!Number.isInteger(tr.debounceSeconds) || tr.debounceSeconds < 0 || tr.debounceSeconds > 900) {
    fail(`triage.debounceSeconds must be an integer in 0..900, got ${tr.debounceSeconds}`);
  }
  if (!Number.isInteger(tr.maxObjectsPerRun) || tr.maxObjectsPerRun < 1 || tr.maxObjectsPerRun > 1000) {
    fail(`triage.maxObjectsPerRun must be an integer in 1..1000 (the Map's results must fit 256 KiB), got ${tr.maxObjectsPerRun}`);
  }
  if (!Number.isInteger(tr.alertThreshold) || tr.alertThreshold < 0) fail(`triage.alertThreshold must be an integer ≥ 0, got ${tr.alertThreshold}`);
  if (!Number.isInteger(tr.alertCooldownMinutes) || tr.alertCooldownMinutes < 0 || tr.alertCooldownMinutes > 1440) {
    fail(`triage.alertCooldownMinutes must be an integer in 0..1440, got ${tr.alertCooldownMinutes}`);
  }
  // A batch's dead letters go to the day it arrived in the stream, and are written when the
  // transformer takes it: at most the stream's retention later. The sweep must look back that far.
  const latestLanding = Math.ceil(stream.retentionHours / 24) + 1;
  if (!Number.isInteger(tr.sweepLookbackDays) || tr.sweepLookbackDays < latestLanding || tr.sweepLookbackDays > 3650) {
    fail(`triage.sweepLookbackDays must be an integer in ${latestLanding}..3650 (the stream keeps records ${stream.retentionHours} h), got ${tr.sweepLookbackDays}`);
  }
  for (const type of t.filteredEventTypes) {
    if (!/^[a-z][a-z0-9_]*$/.test(type)) fail(`filtered event type "${type}" is not a snake_case event type`);
  }
}

/** What CreateWorkgroup takes: subnets in three AZs (at least three subnets), ids as EC2 spells them. */
function validateNetwork(w: WarehouseConfig, fail: (message: string) => never): void {
  if (w.subnetIds !== undefined) {
    if (w.subnetIds.length < 3) {
      fail(`warehouse.subnetIds must list at least three subnets in three Availability Zones (Redshift Serverless), got ${w.subnetIds.length}`);
    }
    for (const id of w.subnetIds) if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) fail(`warehouse.subnetIds: not a subnet id: "${id}"`);
    if (new Set(w.subnetIds).size !== w.subnetIds.length) fail("warehouse.subnetIds lists a subnet twice");
  }
  if (w.securityGroupIds !== undefined) {
    if (w.securityGroupIds.length === 0) fail("warehouse.securityGroupIds must not be empty when set");
    for (const id of w.securityGroupIds) if (!/^sg-[0-9a-f]{8,17}$/.test(id)) fail(`warehouse.securityGroupIds: not a security group id: "${id}"`);
  }
}

/** core's bounds for thresholds and budget; the schedule as EventBridge Scheduler would take it, and a cron. */
function validateMaintenance(m: MaintenanceConfig, fail: (message: string) => never): void {
  try {
    maintenanceSettings({ thresholds: m.thresholds, budgetMinutes: m.budgetMinutes });
    checkWorkflows([{ ...Maintenance, schedules: [{ name: MAINTENANCE_SCHEDULE_NAME, expression: m.schedule }] }]);
  } catch (error) {
    fail(`maintenance: ${(error as Error).message}`);
  }
  if (!m.schedule.startsWith("cron(")) fail(`maintenance.schedule must be a cron(…) at an off-peak hour, got ${m.schedule}`);
}

function validateAnomaly(a: AnomalyConfig, fail: (message: string) => never): void {
  if (a.existingEndpointName !== undefined && !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(a.existingEndpointName)) {
    fail(`anomaly.existingEndpointName must be a SageMaker endpoint name, got "${a.existingEndpointName}"`);
  }
  if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(a.instanceType)) fail(`anomaly.instanceType must be a SageMaker instance type (ml.…), got ${a.instanceType}`);
  if (!Number.isInteger(a.instanceCount) || a.instanceCount < 1) fail(`anomaly.instanceCount must be a positive integer, got ${a.instanceCount}`);
}

/** A plain address (what SNS's email protocol accepts), each once. */
function validateAlerts(a: AlertsConfig, fail: (message: string) => never): void {
  for (const email of a.marketingEmails) {
    if (!/^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(email)) fail(`alerts.marketingEmails: not an email address: "${email}"`);
  }
  if (new Set(a.marketingEmails.map((e) => e.toLowerCase())).size !== a.marketingEmails.length) fail("alerts.marketingEmails lists an address twice");
}
