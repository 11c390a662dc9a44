import { DeleteObjectCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ANOMALY_STATE_KEY, LOAD_CLAIMS_PREFIX, LOAD_PLANNER_STATE_KEY, MAINTENANCE_LEASE_KEY, MIGRATIONS } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lakeStateStore } from "../src/anomaly/decide.ts";
import { liveClaims, writeClaim } from "../src/load/claims.ts";
import { applyMigrations } from "../src/load/migrations.ts";
import { planLoad } from "../src/load/plan.ts";
import { readWatermark } from "../src/load/receipts-watermark.ts";
import { readText } from "../src/load/s3-objects.ts";
import { writeGeneratedLake } from "../../local/tests/warehouse/lake-writer.ts";
import { COPY_ROLE, startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/**
 * The embedded S3 answering as AWS does a caller without s3:ListBucket on the key: a GET or HEAD of
 * a missing key is 403 AccessDenied, not 404 (GetObject reference). Freshet's roles list only
 * their prefixes, under an s3:prefix condition, so the planner and the decider must tell "absent"
 * from the listing, never from the GET's error.
 */
let h: WarehouseHarness;
const now = new Date();

beforeAll(async () => {
  h = await startWarehouseHarness("absent-keys-lake", { missingKeys: "access-denied" });
  await applyMigrations(h.redshift, h.warehouse, MIGRATIONS, { firstPollMs: 5 });
});
afterAll(() => h?.stop());

/** `s3`, except that `beforeGet` runs (with the real client) just before a GetObject is sent. */
function racing(s3: S3Client, beforeGet: (key: string) => Promise<void>): S3Client {
  return new Proxy(s3, {
    get(target, property, receiver) {
      if (property !== "send") return Reflect.get(target, property, receiver);
      return async (command: unknown) => {
        if (command instanceof GetObjectCommand) await beforeGet(command.input.Key as string);
        return target.send(command as never);
      };
    },
  });
}

describe("reads of absent keys from an S3 that answers 403 for them", () => {
  it("throws AccessDenied on a plain GetObject of an absent key (what reading without listing first would meet)", async () => {
    for (const key of [LOAD_PLANNER_STATE_KEY, MAINTENANCE_LEASE_KEY, ANOMALY_STATE_KEY]) {
      await expect(readText(h.s3, h.bucket, key)).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    }
  });

  it("reads the planner's missing state (a first run) and the anomaly state as absent", async () => {
    expect(await readWatermark(h.s3, h.bucket)).toBeUndefined();
    expect(await lakeStateStore(h.s3, h.bucket).read()).toEqual({ states: {}, version: undefined });
  });

  it("skips a claim deleted between the listing and its read (its load ended)", async () => {
    const claim = (loadId: string) => ({ loadId, executionName: "x", claimedAt: now.toISOString(), objects: [`processed/${loadId}.ndjson.gz`], receipts: [] });
    const ending = await writeClaim(h.s3, h.bucket, claim("load-ending"));
    await writeClaim(h.s3, h.bucket, claim("load-running"));
    const deleted: string[] = [];
    const s3 = racing(h.s3, async (key) => {
      if (key !== ending) return;
      await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: key }));
      deleted.push(key);
    });
    const live = await liveClaims(s3, h.bucket, now);
    expect(deleted).toEqual([ending]);
    expect([...live.byKey.values()].map((c) => c.loadId)).toEqual(["load-running"]);
    expect(ending.startsWith(LOAD_CLAIMS_PREFIX)).toBe(true);
    await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: [...live.byKey.keys()][0] }));
  });

  it("plans a first load: no planner state, no maintenance lease, no claims yet", async () => {
    const lake = await writeGeneratedLake(h.s3, h.bucket, { count: 300, now, seed: 31 });
    const deps = { s3: h.s3, redshift: h.redshift, bucket: h.bucket, warehouse: h.warehouse, copyRoleArn: COPY_ROLE, now: () => now, queryOptions: { firstPollMs: 5 } };
    const plan = await planLoad(deps, { startedAt: now.toISOString(), reconcile: false });
    expect(plan).toMatchObject({ via: "receipts", objects: lake.processedKeys.length, pending: lake.processedKeys.length });
  });
});
