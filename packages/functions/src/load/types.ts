import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import type { S3Client } from "@aws-sdk/client-s3";
import type { LoadReceipt } from "@freshet/core";
import type { Claimed } from "./claims.ts";
import type { RecordedBatches } from "./recorded-batches.ts";
import type { QueryOptions, Warehouse } from "./data-api.ts";

/*
 * The planner's shared shapes: its input and result, what it runs with, and the work-source
 * interface its sources implement (receipt-work.ts, listing-work.ts), so that plan.ts and the
 * sources import these and not one another.
 */

/** What the Load workflow's Plan state receives. */
export interface PlanInput {
  readonly executionName?: string;
  /** The execution's start (ISO): the lookback window is counted from it. */
  readonly startedAt?: string;
  readonly maxObjects?: number;
  /** The schedule's interval in seconds, recorded with the load for the freshness view. */
  readonly intervalSeconds?: number;
  /**
   * Plan by listing `processed/` (true) or from the unrecorded receipts (false). Default: listing
   * in the first interval of each hour (the reconciliation), receipts otherwise.
   */
  readonly reconcile?: boolean;
}

/**
 * The Plan state's result; `objects: 0` and `receipts: 0` means nothing to load (no manifest written).
 * `objects: 0` with receipts is a receipts-only load: its manifest has no entries and its SQL no COPY.
 */
export interface LoadPlan {
  readonly loadId: string | null;
  readonly manifestKey: string | null;
  /** `manifests/in-flight/<loadId>.json`: the workflow deletes it when the load ends (see claims.ts). */
  readonly claimKey: string | null;
  readonly objects: number;
  readonly bytes: number;
  /** Batch receipts counted into the accounting by this load. */
  readonly receipts: number;
  /** The Copy batch (core's `buildLoadStatements`); its last statement returns the load summary. */
  readonly sqls: readonly string[];
  /** Why a failed COPY failed: `sys_load_error_detail` rows for this manifest's files (null for a receipts-only load). */
  readonly loadErrorsSql: string | null;
  /** Processed objects in the lookback not yet in the ledger, this load's included. */
  readonly pending: number;
  /** Objects left for a later run because their batch receipt is not written yet. */
  readonly deferred: number;
  /** Pending objects skipped because a load still running has claimed them. */
  readonly inFlight: number;
  /** This run planned a load another run claimed at the same moment, and left it to that run. */
  readonly contended?: boolean;
  /** Nothing was planned because the Maintenance workflow holds a live lease on the warehouse. */
  readonly paused?: "maintenance";
  /** How the work was found: from unrecorded receipts, or by listing processed/ (reconciliation). */
  readonly via?: WorkSourceName;
}

/** The lake bucket and its client. */
export interface LakeAccess {
  readonly s3: S3Client;
  readonly bucket: string;
}

/** The warehouse and its Data API client. */
export interface WarehouseAccess {
  readonly redshift: RedshiftDataClient;
  readonly warehouse: Warehouse;
  readonly queryOptions?: QueryOptions;
}

export interface PlannerDeps extends LakeAccess, WarehouseAccess {
  readonly copyRoleArn: string;
  readonly now?: () => Date;
  /** Called for objects loaded without a receipt (see `RECEIPT_GRACE_MS`). */
  readonly onMissingReceipt?: (keys: readonly string[]) => void;
  /** Called for objects a receipt names that the lake does not hold (not loaded). */
  readonly onMissingObjects?: (keys: readonly string[]) => void;
  /**
   * Called once work is found (not while maintenance pauses loading): when the oldest pending
   * object not claimed by a running load was written, null when none waits.
   */
  readonly onOldestWaiting?: (writtenAt: Date | null) => void;
  /** Called for a load planned and claimed: the events its receipts count as processed. */
  readonly onRowsPlanned?: (rows: number) => void;
  /** Batches seen recorded by earlier runs of a warm planner: not asked about again (recorded-batches.ts). */
  readonly recordedBatches?: RecordedBatches;
}

/** A processed object as ListObjectsV2 reports it. */
export interface ProcessedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string | null;
  readonly lastModified: Date | null;
}

/** One planner run, as each work source sees it. */
export interface PlanningRun {
  readonly deps: PlannerDeps;
  readonly now: Date;
  /** The execution's start: the listing's lookback counts from it. */
  readonly startedAt: Date;
  /** Objects per load, at most. */
  readonly maxObjects: number;
  /**
   * The live claims, listed since the run began. A source awaits them before it asks the
   * warehouse anything (see `liveClaims`).
   */
  readonly claims: Promise<Claimed>;
}

/** What one load takes. Never changed: a smaller work is another one. */
export interface Work {
  /** Processed objects to COPY, by key. */
  readonly objects: readonly ProcessedObject[];
  /** Receipts to record with them. */
  readonly receipts: readonly LoadReceipt[];
  /**
   * Keys of `objects` whose batch receipt is missing (reported). Either none or every object: such
   * objects load alone, outside the accounting (core's `LoadRequest.unaccounted`).
   */
  readonly late: readonly string[];
  /**
   * About half of this work, chosen deterministically (overlapping runs shrink alike), or
   * undefined when it cannot shrink further. The planner asks when its statements are too long.
   */
  smaller(): Work | undefined;
}

export type WorkSourceName = "receipts" | "listing";

/** What a source found for this run: the work of one load and the counts reported with it. */
export interface FoundWork {
  readonly via: WorkSourceName;
  readonly work: Work;
  /** Objects not loaded yet that this source saw, this load's included. */
  readonly pending: number;
  /** Objects left for a later run (their receipt is not written yet). */
  readonly deferred: number;
  /** Objects a running load has claimed. */
  readonly inFlight: number;
}

/** Where a run's work comes from. A new source implements this; plan.ts picks which to ask. */
export interface WorkSource {
  readonly name: WorkSourceName;
  /** This run's work, or undefined when this source cannot tell (the planner then asks the next). */
  find(run: PlanningRun): Promise<FoundWork | undefined>;
}
