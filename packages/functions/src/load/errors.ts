import { FreshetError } from "@freshet/core";

/** A Data API statement the planner or the migrator ran did not finish (FAILED, ABORTED, or past its deadline). */
export class WarehouseQueryError extends FreshetError {
  override readonly name = "WarehouseQueryError";
}

/** A batch receipt under `receipts/` could not be read as one. */
export class ReceiptReadError extends FreshetError {
  override readonly name = "ReceiptReadError";
}

/** An in-flight load claim under `manifests/in-flight/` could not be read as one. */
export class ClaimReadError extends FreshetError {
  override readonly name = "ClaimReadError";
}

/** The maintenance lease (`manifests/state/maintenance-lease.json`) could not be read as one. */
export class MaintenanceLeaseReadError extends FreshetError {
  override readonly name = "MaintenanceLeaseReadError";
}
