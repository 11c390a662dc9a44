/**
 * A protected stage under the mock synthesis: `prod`, protected by default like `production`
 * (config.test.ts checks both lists agree). It must keep its data when the stage is removed and
 * refuse `sst remove` altogether. Its own file: one synth per process (see harness/synth.ts).
 * Its stage config also names the workgroup's subnets and security group (an account without a
 * default VPC), through a test-only entry in `STAGE_OVERRIDES`.
 */
import { TRANSFORMER_EVENT_SOURCE } from "@freshet/core";
import { beforeAll, expect, it, vi } from "vitest";
import { PROTECTED_DEFAULTS, type StageOverrides } from "../config.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

const { SUBNETS, SECURITY_GROUPS } = vi.hoisted(() => ({
  SUBNETS: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"],
  SECURITY_GROUPS: ["sg-0ddddddddddddddd4"],
}));

vi.mock("../config.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../config.ts")>();
  const overrides: Record<string, StageOverrides> = { prod: { warehouse: { subnetIds: SUBNETS, securityGroupIds: SECURITY_GROUPS } } };
  return {
    ...original,
    STAGE_OVERRIDES: overrides,
    stageConfig: (stage: string, given?: StageOverrides, env?: NodeJS.ProcessEnv) => original.stageConfig(stage, given ?? overrides[stage] ?? {}, env),
  };
});

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "prod", secrets: { IngestApiKey: "prod-key", MetricsApiKey: "prod-metrics-key" } });
});

it("retains and protects the stage", () => {
  expect(result.app).toMatchObject({ stage: "prod", removal: "retain", protect: true });
  // run() hands `protect` to the CLI, which then refuses `sst remove`.
  expect(result.outputs._protect).toBe(true);
});

it("keeps the lake bucket and its objects on removal", () => {
  const bucket = result.resources.one("aws:s3/bucket:Bucket", "LakeBucket");
  expect(bucket.options.retainOnDelete).toBe(true);
  expect(bucket.inputs.forceDestroy).toBe(false);
});

it("keeps the warehouse on removal, and gives it a protected stage's capacity", () => {
  for (const [type, name] of [
    ["aws:redshiftserverless/namespace:Namespace", "WarehouseNamespace"],
    ["aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup"],
    ["aws:iam/role:Role", "WarehouseCopyRole"],
  ] as const) {
    expect(result.resources.one(type, name).options.retainOnDelete, name).toBe(true);
  }
  const workgroup = result.resources.one("aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup");
  expect(workgroup.inputs.baseCapacity).toBe(PROTECTED_DEFAULTS.warehouse.baseCapacityRpu);
  expect(workgroup.inputs.baseCapacity).toBeGreaterThan(8);
});

it("places the workgroup in the subnets and security groups its stage config names", () => {
  const workgroup = result.resources.one("aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup");
  expect(workgroup.inputs.subnetIds).toEqual(SUBNETS);
  expect(workgroup.inputs.securityGroupIds).toEqual(SECURITY_GROUPS);
});

it("deploys the same pipeline settings as other stages", () => {
  const esm = result.resources.one("aws:lambda/eventSourceMapping:EventSourceMapping");
  const { batchSize, maximumRetryAttempts, maximumRecordAgeInSeconds } = TRANSFORMER_EVENT_SOURCE;
  expect(esm.inputs).toMatchObject({ batchSize, maximumRetryAttempts, maximumRecordAgeInSeconds });
  const rules = result.resources.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
  expect(rules.map((x: { expiration: { days: number } }) => x.expiration.days)).toEqual([365, 90, 2, 2]);
});
