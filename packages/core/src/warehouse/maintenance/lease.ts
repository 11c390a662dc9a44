import { InvalidMaintenanceLeaseError } from "./errors.ts";

/**
 * The Maintenance workflow's lease on the warehouse (`MAINTENANCE_LEASE_KEY`), written before
 * each table's operation: `until` is that operation's share of the budget plus a margin, so a
 * maintenance execution that died frees the loads when its lease expires.
 */
export interface MaintenanceLease {
  /** The execution's name. */
  readonly holder: string;
  readonly table: string;
  /** ISO 8601. */
  readonly until: string;
}

/** The lease in `text`, or the error saying why it is not one (never silently "no lease"). */
export function parseMaintenanceLease(text: string): MaintenanceLease {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InvalidMaintenanceLeaseError("the maintenance lease is not JSON", { cause });
  }
  const lease = parsed as Partial<MaintenanceLease> | null;
  if (lease === null || typeof lease !== "object" || typeof lease.holder !== "string" || typeof lease.table !== "string" || typeof lease.until !== "string") {
    throw new InvalidMaintenanceLeaseError("the maintenance lease lacks holder, table or until");
  }
  if (Number.isNaN(Date.parse(lease.until))) throw new InvalidMaintenanceLeaseError(`the maintenance lease's until is not a time: ${lease.until}`);
  return { holder: lease.holder, table: lease.table, until: lease.until };
}

/** Whether the lease still holds at `now` (until > now). */
export function leaseIsLive(lease: MaintenanceLease, now: Date): boolean {
  return Date.parse(lease.until) > now.getTime();
}
