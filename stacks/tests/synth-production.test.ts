/**
 * The production stage under the mock synthesis: it must keep its data when the stage is removed
 * and refuse `sst remove` altogether. Its own file: one synth per process (see harness/synth.ts).
 */
import { TRANSFORMER_EVENT_SOURCE } from "@freshet/core";
import { beforeAll, expect, it } from "vitest";
import { synth, type SynthResult } from "./harness/synth.ts";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "production", secrets: { IngestApiKey: "prod-key" } });
});

it("retains and protects the production stage", () => {
  expect(result.app).toMatchObject({ stage: "production", removal: "retain", protect: true });
  // run() hands `protect` to the CLI, which then refuses `sst remove`.
  expect(result.outputs._protect).toBe(true);
});

it("keeps the lake bucket and its objects on removal", () => {
  const bucket = result.resources.one("aws:s3/bucket:Bucket", "LakeBucket");
  expect(bucket.options.retainOnDelete).toBe(true);
  expect(bucket.inputs.forceDestroy).toBe(false);
});

it("deploys the same pipeline settings as other stages", () => {
  const esm = result.resources.one("aws:lambda/eventSourceMapping:EventSourceMapping");
  const { batchSize, maximumRetryAttempts, maximumRecordAgeInSeconds } = TRANSFORMER_EVENT_SOURCE;
  expect(esm.inputs).toMatchObject({ batchSize, maximumRetryAttempts, maximumRecordAgeInSeconds });
  const rules = result.resources.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
  expect(rules.map((x: { expiration: { days: number } }) => x.expiration.days)).toEqual([365, 90, 2]);
});
