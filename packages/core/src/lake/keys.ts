import { createHash } from "node:crypto";
import type { DeadLetterReason } from "../validation/outcome.ts";
import { partitionOf, partitionPath, type Partition } from "./partition.ts";

/** The lake's top-level prefixes. Only these names (and `stacks/storage.ts`) decide layout. */
export const LAKE_PREFIXES = {
  raw: "raw/",
  processed: "processed/",
  dlq: "dlq/",
  manifests: "manifests/",
  receipts: "receipts/",
  /** One JSON record per `freshet replay` of the raw archive: what was put back on the stream. */
  replays: "replays/",
} as const;

/**
 * In-flight load claims (`manifests/in-flight/<loadId>.json`): what a running Load execution is
 * loading, so the next run plans other objects instead of repeating it. Deleted when the load ends.
 */
export const LOAD_CLAIMS_PREFIX = `${LAKE_PREFIXES.manifests}in-flight/`;

/**
 * The Maintenance workflow's lease (`{ holder, table, until }`): while it is live, Load plans
 * nothing, so a VACUUM never runs beside a COPY. Deleted when the table's operation ends.
 */
export const MAINTENANCE_LEASE_KEY = `${LAKE_PREFIXES.manifests}state/maintenance-lease.json`;

/**
 * The LakeFreshness check's memory between runs: since when it has been watching, the newest
 * receipt it has seen, and which outage it already told OpsAlerts about (one alert per outage).
 */
export const LAKE_FRESHNESS_STATE_KEY = `${LAKE_PREFIXES.manifests}state/lake-freshness.json`;

/**
 * Open Load incidents, one object per kind (`{ kind, openedAt, step, error, … }`): created with
 * If-None-Match by the failing run that opens the incident (the only run that alerts OpsAlerts),
 * deleted with one recovery notice by the first run that loads (or finds nothing left) after it.
 * `outage`: the warehouse or a service the Load needs failed; `rejected`: COPY refused a file.
 */
export const LOAD_INCIDENT_KEYS = {
  outage: `${LAKE_PREFIXES.manifests}state/load-outage.json`,
  rejected: `${LAKE_PREFIXES.manifests}state/load-rejected.json`,
} as const;

export type LoadIncidentKind = keyof typeof LOAD_INCIDENT_KEYS;

/** Where the Load planner keeps its receipts watermark. */
export const LOAD_PLANNER_STATE_KEY = `${LAKE_PREFIXES.manifests}state/load-planner.json`;

/** Where a batch came from: enough to name its objects deterministically. */
export interface BatchRef {
  readonly shardId: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  /** Arrival of the batch's first record in the stream. */
  readonly firstArrival: Date;
}

/**
 * A batch's id: shard and sequence range. A redelivered batch has the same id, so its objects
 * overwrite the first delivery's instead of adding copies. Only safe characters reach a key:
 * nothing an event carries is ever part of an object key.
 */
export function batchIdOf(ref: Pick<BatchRef, "shardId" | "firstSequenceNumber" | "lastSequenceNumber">): string {
  return `${safeToken(ref.shardId)}-${safeToken(ref.firstSequenceNumber)}-${safeToken(ref.lastSequenceNumber)}`;
}

export function rawKey(ref: BatchRef): string {
  return `${LAKE_PREFIXES.raw}${partitionPath(partitionOf(ref.firstArrival))}/${batchIdOf(ref)}.ndjson.gz`;
}

export function processedKey(ref: BatchRef, partition: Partition): string {
  return `${LAKE_PREFIXES.processed}${partitionPath(partition)}/${batchIdOf(ref)}.ndjson.gz`;
}

export function deadLetterKey(ref: BatchRef, reason: DeadLetterReason): string {
  const { dt } = partitionOf(ref.firstArrival);
  return `${LAKE_PREFIXES.dlq}dt=${dt}/reason=${reason}/${batchIdOf(ref)}.ndjson.gz`;
}

export function receiptKey(ref: BatchRef): string {
  return `${LAKE_PREFIXES.receipts}${partitionPath(partitionOf(ref.firstArrival))}/${batchIdOf(ref)}.json`;
}

const SAFE = /^[A-Za-z0-9_-]{1,128}$/;

/** Keeps AWS-issued ids as they are; anything else becomes a hash (never a path). */
function safeToken(value: string): string {
  return SAFE.test(value) ? value : createHash("sha256").update(value).digest("hex").slice(0, 32);
}
