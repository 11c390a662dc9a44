/** A date/hour partition of the lake, in UTC: `dt=2026-11-26/hr=05`. */
export interface Partition {
  readonly dt: string;
  readonly hr: string;
}

/** The partition an instant falls in. Processed events use event time, so late events land in their own hour. */
export function partitionOf(instant: Date): Partition {
  return partitionOfIso(instant.toISOString());
}

/** The partition of an ISO-8601 UTC timestamp as `Date.toISOString` writes it. */
export function partitionOfIso(iso: string): Partition {
  return { dt: iso.slice(0, 10), hr: iso.slice(11, 13) };
}

/** A receipt's accounting window (the hour of a partition): `YYYY-MM-DDTHH`. */
export function windowLabel(partition: Partition): string {
  return `${partition.dt}T${partition.hr}`;
}

export function partitionPath(partition: Partition): string {
  return `dt=${partition.dt}/hr=${partition.hr}`;
}
