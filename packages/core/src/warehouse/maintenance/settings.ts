import { InvalidMaintenanceSettingsError } from "./errors.ts";

/**
 * When a table needs VACUUM or ANALYZE, in the spirit of awslabs' Analyze & Vacuum Utility
 * (amazon-redshift-utils, `src/AnalyzeVacuumUtility`), whose defaults these are: a table is
 * vacuumed when more than `minUnsortedPct` of its rows are unsorted (the utility's
 * `--min-unsorted-pct` 5) and analyzed when `stats_off` is over `statsOffPct` (`--stats-off-pct`
 * 10). Tables of `largeTableMb` or more (`--max-table-size-mb`, 700 GB) are vacuumed only while
 * their unsorted share is under `maxUnsortedPct` (`--max-unsorted-pct` 50): past that a deep copy
 * is faster than a vacuum. All percentages are 0..100, as SVV_TABLE_INFO reports them.
 */
export interface MaintenanceThresholds {
  readonly statsOffPct: number;
  readonly minUnsortedPct: number;
  readonly maxUnsortedPct: number;
  /** Share of rows marked deleted (tbl_rows − estimated_visible_rows) that calls for a delete vacuum:
   *  Redshift's own VACUUM keeps at least 95 % of rows undeleted by default, so 5. */
  readonly deletedPct: number;
  /** Size in 1 MB blocks (SVV_TABLE_INFO.size) from which a table is "large". */
  readonly largeTableMb: number;
}

/** The thresholds and the time budget of one maintenance run. */
export interface MaintenanceSettings {
  readonly thresholds: MaintenanceThresholds;
  /** Wall time the run may spend starting operations; tables not reached are deferred to the next run. */
  readonly budgetMinutes: number;
}

export const DEFAULT_MAINTENANCE_THRESHOLDS: MaintenanceThresholds = {
  statsOffPct: 10,
  minUnsortedPct: 5,
  maxUnsortedPct: 50,
  deletedPct: 5,
  largeTableMb: 700 * 1024,
};

export const DEFAULT_MAINTENANCE_SETTINGS: MaintenanceSettings = {
  thresholds: DEFAULT_MAINTENANCE_THRESHOLDS,
  budgetMinutes: 120,
};

/** Nightly at 03:17 UTC, off-peak and off the hour (when other schedules pile up). */
export const DEFAULT_MAINTENANCE_SCHEDULE = "cron(17 3 * * ? *)";

/** `overrides` over the defaults, validated: a bad stage override or execution input fails here, named. */
export function maintenanceSettings(overrides: { thresholds?: Partial<MaintenanceThresholds>; budgetMinutes?: number } = {}): MaintenanceSettings {
  const settings: MaintenanceSettings = {
    thresholds: { ...DEFAULT_MAINTENANCE_THRESHOLDS, ...overrides.thresholds },
    budgetMinutes: overrides.budgetMinutes ?? DEFAULT_MAINTENANCE_SETTINGS.budgetMinutes,
  };
  validate(settings);
  return settings;
}

function validate({ thresholds: t, budgetMinutes }: MaintenanceSettings): void {
  for (const name of ["statsOffPct", "minUnsortedPct", "maxUnsortedPct", "deletedPct"] as const) {
    const value = t[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value >= 100) {
      throw new InvalidMaintenanceSettingsError(`maintenance threshold ${name} must be a percentage in 0..<100, got ${String(value)}`);
    }
  }
  if (t.maxUnsortedPct <= t.minUnsortedPct) {
    throw new InvalidMaintenanceSettingsError(`maxUnsortedPct (${t.maxUnsortedPct}) must be above minUnsortedPct (${t.minUnsortedPct})`);
  }
  if (!Number.isInteger(t.largeTableMb) || t.largeTableMb < 1) {
    throw new InvalidMaintenanceSettingsError(`largeTableMb must be a whole number of 1 MB blocks ≥ 1, got ${String(t.largeTableMb)}`);
  }
  // A Standard execution runs at most a year; a budget beyond a day is a unit mistake.
  if (!Number.isInteger(budgetMinutes) || budgetMinutes < 1 || budgetMinutes > 1440) {
    throw new InvalidMaintenanceSettingsError(`budgetMinutes must be a whole number in 1..1440, got ${String(budgetMinutes)}`);
  }
}
