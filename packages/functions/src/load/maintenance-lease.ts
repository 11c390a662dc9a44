import type { S3Client } from "@aws-sdk/client-s3";
import { leaseIsLive, MAINTENANCE_LEASE_KEY, parseMaintenanceLease, type MaintenanceLease } from "@freshet/core";
import { MaintenanceLeaseReadError } from "./errors.ts";
import { readTextIfExists } from "./s3-objects.ts";

/**
 * The Maintenance workflow's live lease, or undefined. While one is live the planner plans
 * nothing, so no COPY starts beside a VACUUM (packages/workflows/src/maintenance.ts).
 *
 * Listed before it is read (`readTextIfExists`): the planner may list this key, not the bucket.
 * A corrupt lease is an error, never "no lease": the load waits for an operator (or the next
 * maintenance, which overwrites it) rather than run beside a VACUUM.
 */
export async function liveMaintenanceLease(s3: S3Client, bucket: string, now: Date): Promise<MaintenanceLease | undefined> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(s3, bucket, MAINTENANCE_LEASE_KEY);
  } catch (cause) {
    throw new MaintenanceLeaseReadError(`the maintenance lease ${MAINTENANCE_LEASE_KEY} could not be read`, { cause });
  }
  // Released between the listing and the read.
  if (text === undefined) return undefined;
  let lease: MaintenanceLease;
  try {
    lease = parseMaintenanceLease(text);
  } catch (cause) {
    throw new MaintenanceLeaseReadError(`the maintenance lease ${MAINTENANCE_LEASE_KEY} is not a lease`, { cause });
  }
  return leaseIsLive(lease, now) ? lease : undefined;
}
