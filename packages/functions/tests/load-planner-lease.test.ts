import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { LOAD_CLAIMS_PREFIX, MAINTENANCE_LEASE_KEY, MIGRATIONS } from "@freshet/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MaintenanceLeaseReadError } from "../src/load/errors.ts";
import { applyMigrations } from "../src/load/migrations.ts";
import { planLoad } from "../src/load/plan.ts";
import type { PlannerDeps } from "../src/load/types.ts";
import { writeGeneratedLake } from "../../local/tests/warehouse/lake-writer.ts";
import { COPY_ROLE, startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/** The planner and the Maintenance workflow's lease, on the real local S3 and Data API. */
let h: WarehouseHarness;
let deps: PlannerDeps;
const now = new Date();
const LISTING = { reconcile: true, startedAt: now.toISOString() } as const;

const putLease = (s3: S3Client, until: Date | string) =>
  s3.send(
    new PutObjectCommand({
      Bucket: h.bucket,
      Key: MAINTENANCE_LEASE_KEY,
      Body: JSON.stringify({ holder: "maintenance-test", table: "events", until: typeof until === "string" ? until : until.toISOString() }),
    }),
  );

async function claims(): Promise<string[]> {
  const listed = await h.s3.send(new ListObjectsV2Command({ Bucket: h.bucket, Prefix: LOAD_CLAIMS_PREFIX }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

beforeAll(async () => {
  h = await startWarehouseHarness();
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
  deps = { s3: h.s3, redshift: h.redshift, bucket: h.bucket, warehouse: h.warehouse, copyRoleArn: COPY_ROLE, now: () => now, queryOptions: { firstPollMs: 5 } };
  await writeGeneratedLake(h.s3, h.bucket, { count: 300, now, seed: 5, batchSize: 300 });
}, 60_000);
afterEach(async () => {
  await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: MAINTENANCE_LEASE_KEY }));
  for (const key of await claims()) await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: key }));
});
afterAll(() => h?.stop());

describe("planLoad and the maintenance lease", () => {
  it("plans nothing while a live lease is held, and says why", async () => {
    await putLease(h.s3, new Date(now.getTime() + 60_000));
    const plan = await planLoad(deps, LISTING);
    expect(plan).toMatchObject({ loadId: null, objects: 0, receipts: 0, sqls: [], claimKey: null, paused: "maintenance" });
    expect(await claims()).toEqual([]);
  });

  it("plans as usual once the lease has expired (a dead maintenance frees the loads)", async () => {
    await putLease(h.s3, new Date(now.getTime() - 1));
    const plan = await planLoad(deps, LISTING);
    expect(plan.objects).toBeGreaterThan(0);
    expect(plan.paused).toBeUndefined();
  });

  it("withdraws its claim when a lease is taken while it plans (the maintenance saw no claim)", async () => {
    // A client whose claim write is followed at once by the maintenance taking its lease.
    const s3 = new S3Client({ endpoint: h.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    let leased = false;
    s3.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const key = (args.input as { Key?: string }).Key;
        if (!leased && key?.startsWith(LOAD_CLAIMS_PREFIX) && (args.input as { Body?: unknown }).Body !== undefined) {
          leased = true;
          await putLease(h.s3, new Date(now.getTime() + 60_000));
        }
        return result;
      },
      { step: "initialize", name: "takeLeaseAfterClaim" },
    );
    try {
      const plan = await planLoad({ ...deps, s3 }, LISTING);
      expect(leased).toBe(true);
      expect(plan).toMatchObject({ loadId: null, objects: 0, paused: "maintenance" });
      expect(await claims()).toEqual([]);
    } finally {
      s3.destroy();
    }
  });

  it("refuses a corrupt lease with a typed error rather than loading beside a vacuum", async () => {
    await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: MAINTENANCE_LEASE_KEY, Body: "{ not json" }));
    await expect(planLoad(deps, LISTING)).rejects.toThrow(MaintenanceLeaseReadError);
    expect(await claims()).toEqual([]);
  });
});
