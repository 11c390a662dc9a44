import { FreshetError } from "../../errors.ts";

/** Maintenance thresholds or a budget that cannot give a sensible decision (a stage's override, an execution's input). */
export class InvalidMaintenanceSettingsError extends FreshetError {
  override readonly name = "InvalidMaintenanceSettingsError";
}

/** A health row that does not describe a table (a missing name, a negative count, a share over 100). */
export class InvalidTableHealthError extends FreshetError {
  override readonly name = "InvalidTableHealthError";
}

/** The maintenance lease object holds something that is not a lease. */
export class InvalidMaintenanceLeaseError extends FreshetError {
  override readonly name = "InvalidMaintenanceLeaseError";
}
