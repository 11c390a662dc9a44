import { LAKE_PREFIXES, LOAD_CLAIMS_PREFIX, TRIAGE_PREFIXES } from "@freshet/core";
import type { StageConfig } from "./config.ts";

export interface Storage {
  readonly lake: sst.aws.Bucket;
}

/**
 * The lake bucket `Lake`: raw/ (immutable audit copy, to Deep Archive), processed/ (hot NDJSON the
 * warehouse loads), dlq/ (typed dead letters), manifests/ (COPY manifests), receipts/.
 * Private, encrypted, HTTPS only (SST's default bucket policy), and its events go to EventBridge
 * so rules (dead letters landed, …) can react without S3 notification wiring per consumer.
 */
export function createStorage(config: StageConfig): Storage {
  const { lake: days } = config;
  const rawRule = "RawToDeepArchive";

  const lake = new sst.aws.Bucket("Lake", {
    cors: false, // read by Lambdas and Redshift, never by browsers
    lifecycle: [
      { id: rawRule, prefix: LAKE_PREFIXES.raw, expiresIn: `${days.rawExpiryDays} days` },
      { id: "ProcessedExpiry", prefix: LAKE_PREFIXES.processed, expiresIn: `${days.processedExpiryDays} days` },
      // Load claims live as long as their execution (≤ 1 h); one a dead execution left is swept.
      { id: "LoadClaimsExpiry", prefix: LOAD_CLAIMS_PREFIX, expiresIn: "2 days" },
      // Triage claims lapse after about 70 min; the triage step deletes its own, a crash leaves one.
      // dlq/ itself (dead letters and their ledger) never expires: triage's watermark and the
      // sweep's look-back assume a dead letter stays until its done marker is written.
      { id: "TriageClaimsExpiry", prefix: TRIAGE_PREFIXES.claims, expiresIn: "2 days" },
    ],
    transform: {
      // A protected stage's bucket is retained on removal (SST's `removal: "retain"`); never let
      // a delete empty it first.
      bucket: (args) => {
        args.forceDestroy = !config.protected;
      },
      // SST's lifecycle covers expiry only; the Deep Archive transition is added here.
      lifecycle: (args) => {
        args.rules = $output(args.rules).apply((rules = []) =>
          rules.map((rule) =>
            rule.id === rawRule
              ? { ...rule, transitions: [{ days: days.rawDeepArchiveAfterDays, storageClass: "DEEP_ARCHIVE" }] }
              : rule,
          ),
        );
      },
      publicAccessBlock: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    },
  });

  // Top-level, not children of the component: SST only allows children whose naming it knows.
  new aws.s3.BucketServerSideEncryptionConfiguration(
    "LakeEncryption",
    {
      bucket: lake.name,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    },
  );

  // A bucket has one notification configuration: later consumers subscribe with EventBridge
  // rules, not with `lake.notify()`, which would replace this one.
  new aws.s3.BucketNotification("LakeNotification", { bucket: lake.name, eventbridge: true });

  return { lake };
}
