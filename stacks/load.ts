import { DB_ROLES, LAKE_PREFIXES, LOAD_CLAIMS_PREFIX, LOAD_PLANNER_STATE_KEY, MAINTENANCE_LEASE_KEY } from "@freshet/core";
import { LOAD_SCHEDULE_NAME, Load as LoadWorkflow, loadScheduleExpression } from "@freshet/workflows";
import type { StageConfig } from "./config.ts";
import { databaseUserPolicy, withDatabaseRoles } from "./database-roles.ts";
import { createFunction, powertoolsEnvironment } from "./lambda.ts";
import { bucketWriter, type Permission } from "./permissions.ts";
import type { Warehouse } from "./warehouse.ts";

export interface LoadInput {
  readonly config: StageConfig;
  readonly lake: sst.aws.Bucket;
  readonly warehouse: Warehouse;
}

export interface Load {
  /**
   * Plans one load: finds the batches whose receipts no load has recorded (hourly, the `processed/`
   * objects not in the ledger), claims them, writes the manifest, returns the SQL.
   */
  readonly planner: sst.aws.Function;
  /** The planner's tag lookups and reads of its own statements (`databaseUserPolicy`). */
  readonly plannerDatabaseUser: aws.iam.RolePolicy;
}

/**
 * Lists processed/, receipts/, the claims and the two state keys it reads (the maintenance lease,
 * its own watermark) only: ListObjectsV2 is authorised as s3:ListBucket, narrowed by prefix. A
 * key that may be missing is listed before it is read, because without ListBucket covering it a
 * GET of a missing key is 403, not 404.
 */
function plannerLister(bucketArn: $util.Output<string>): Permission & { conditions: { test: string; variable: string; values: string[] }[] } {
  return {
    actions: ["s3:ListBucket"],
    resources: [bucketArn],
    conditions: [
      { test: "StringLike", variable: "s3:prefix", values: [`${LAKE_PREFIXES.processed}*`, `${LAKE_PREFIXES.receipts}*`, `${LOAD_CLAIMS_PREFIX}*`, MAINTENANCE_LEASE_KEY, LOAD_PLANNER_STATE_KEY] },
    ],
  };
}

/** Reads batch receipts (the accounting a load records), in-flight load claims and its own state, no event data. */
function receiptReader(bucketArn: $util.Output<string>): Permission {
  return {
    actions: ["s3:GetObject"],
    resources: [
      $interpolate`${bucketArn}/${LAKE_PREFIXES.receipts}*`,
      $interpolate`${bucketArn}/${LOAD_CLAIMS_PREFIX}*`,
      $interpolate`${bucketArn}/${LAKE_PREFIXES.manifests}state/*`,
    ],
  };
}

/**
 * The Load workflow's planner (`LoadPlanner`). It links `Lake` and `Warehouse` (the link brings
 * the Data API grants on the workgroup); its own permissions are listing processed/ and receipts/,
 * reading receipts/ and writing manifests/, nothing else: it never reads an event.
 */
export function createLoad({ lake, warehouse }: LoadInput): Load {
  const planner = createFunction("LoadPlanner", {
    handler: "packages/functions/src/load-planner.handler",
    description: "Freshet load planner: picks processed objects not yet loaded and writes their COPY manifest",
    memory: "512 MB",
    // The ledger query is polled through the Data API; a cold workgroup can take a minute to answer.
    timeout: "300 seconds",
    link: [lake, warehouse.link],
    permissions: [
      plannerLister(lake.arn),
      receiptReader(lake.arn),
      bucketWriter(lake.arn, [LAKE_PREFIXES.manifests]),
      // A run that finds its claim contended withdraws it (see packages/functions/src/load/claims.ts).
      { actions: ["s3:DeleteObject"], resources: [$interpolate`${lake.arn}/${LOAD_CLAIMS_PREFIX}*`] },
    ],
    environment: powertoolsEnvironment("load-planner"),
    // Its database user reads the ledger, receipts and loads only (core's database-roles migration).
    transform: { role: withDatabaseRoles([DB_ROLES.planner]) },
  });
  return { planner, plannerDatabaseUser: databaseUserPolicy("LoadPlannerDatabaseUser", planner.nodes.role) };
}

/** The stage's load interval for the Load workflow's schedule; every other schedule as described. */
export function loadSchedule(config: StageConfig): (schedule: { workflow: string; name: string; expression: string }) => string {
  return (s) =>
    s.workflow === LoadWorkflow.name && s.name === LOAD_SCHEDULE_NAME ? loadScheduleExpression(config.warehouse.loadIntervalMinutes) : s.expression;
}
