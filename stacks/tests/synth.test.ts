/**
 * sst.config.ts under a mock synthesis (stage "ci"): the settings that matter in AWS, read from
 * the resources Pulumi would create. See harness/synth.ts for how the synth runs.
 */
import { heapNodeOptions, INGEST_FUNCTION, TRANSFORMER_EVENT_SOURCE, TRANSFORMER_FUNCTION, transformerHeap } from "@freshet/core";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { policyStatements, wildcardGrants } from "./harness/iam.ts";
import { linkShapes, parseSstEnv } from "./harness/sst-env.ts";
import { ROOT, synth, type SynthResult } from "./harness/synth.ts";

const ESM = "aws:lambda/eventSourceMapping:EventSourceMapping";
const BUCKET = "aws:s3/bucket:Bucket";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
const stream = () => r().one("aws:kinesis/stream:Stream", "EventsStream");
const bucket = () => r().one(BUCKET, "LakeBucket");
const queue = () => r().one("aws:sqs/queue:Queue", "TransformerFailuresQueue");
const build = (id: string) => {
  const found = result.builds.find((b) => b.functionID === id);
  if (!found) throw new Error(`no build for ${id}`);
  return found;
};
/** Statements of a role's inline policy, as IAM would store them. */
const inlineStatements = (role: string) =>
  policyStatements([r().one("aws:iam/role:Role", role)])
    .filter((s) => s.source.includes("inlinePolicies"))
    .map((s) => ({ effect: s.effect, actions: [...s.actions].sort(), resources: [...s.resources].sort() }));

describe("app", () => {
  it("removes an unprotected stage completely", () => {
    expect(result.app).toMatchObject({ name: "freshet", home: "aws", removal: "remove", protect: false });
    expect(bucket().inputs.forceDestroy).toBe(true);
    expect(bucket().options.retainOnDelete).toBeUndefined();
  });

  it("returns the ingest URL, bucket name and stream name", () => {
    const api = r().one("aws:apigatewayv2/api:Api", "ApiApi");
    expect(result.outputs.ingestUrl).toBe(`${api.outputs.apiEndpoint}/v1/events`);
    expect(result.outputs.lakeBucket).toBe(bucket().outputs.bucket);
    expect(result.outputs.eventsStream).toBe(stream().outputs.name);
  });
});

describe("stream and transformer", () => {
  it("creates an on-demand, encrypted stream", () => {
    expect(stream().inputs).toMatchObject({
      streamModeDetails: { streamMode: "ON_DEMAND" },
      encryptionType: "KMS",
      kmsKeyId: "alias/aws/kinesis",
      retentionPeriod: 24,
    });
  });

  it("subscribes the transformer with one batch per shard, bounded retries, bisecting and partial batch responses", () => {
    const esm = r().one(ESM);
    const { fn } = r().lambda("Transformer");
    expect(esm.inputs.eventSourceArn).toBe(stream().outputs.arn);
    expect(esm.inputs.functionName).toBe(fn.outputs.arn);
    // The settings the local mapping uses too (their values are pinned in core's transformer-settings test).
    expect(esm.inputs).toMatchObject(TRANSFORMER_EVENT_SOURCE);
  });

  it("sends batches it gives up on to the TransformerFailures queue, kept 14 days", () => {
    const esm = r().one(ESM);
    expect(esm.inputs.destinationConfig).toEqual({ onFailure: { destinationArn: queue().outputs.arn } });
    expect(queue().inputs.messageRetentionSeconds).toBe(14 * 24 * 3600);
  });

  it("sizes and configures the transformer", () => {
    const { fn } = r().lambda("Transformer");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"], memorySize: TRANSFORMER_FUNCTION.memoryMb, timeout: TRANSFORMER_FUNCTION.timeoutSeconds });
    expect(fn.inputs.environment.variables).toMatchObject({
      FRESHET_MAX_EVENT_AGE_DAYS: "7",
      FRESHET_FILTERED_EVENT_TYPES: "heartbeat,health_check",
      POWERTOOLS_SERVICE_NAME: "transformer",
      POWERTOOLS_METRICS_NAMESPACE: "Freshet",
    });
  });

  it("runs the transformer with the heap the bench measures: both V8 heap limits in NODE_OPTIONS", () => {
    const { fn } = r().lambda("Transformer");
    const nodeOptions = fn.inputs.environment.variables.NODE_OPTIONS;
    expect(nodeOptions).toBe(heapNodeOptions(transformerHeap(TRANSFORMER_FUNCTION.memoryMb)));
    // Both, or Lambda's bootstrap would leave the other to V8's own default instead of computing it.
    expect(nodeOptions).toMatch(/--max-semi-space-size=\d+/);
    expect(nodeOptions).toMatch(/--max-old-space-size=\d+/);
  });
});

describe("ingest API", () => {
  it("routes POST /v1/events to the ingest function through a Lambda proxy integration", () => {
    const route = r().one("aws:apigatewayv2/route:Route", (x) => x.inputs.routeKey === "POST /v1/events");
    const integration = r().one("aws:apigatewayv2/integration:Integration", (x) => route.inputs.target === `integrations/${x.name}-id`);
    const { fn } = r().lambda("Ingest");
    expect(integration.inputs).toMatchObject({
      integrationType: "AWS_PROXY",
      integrationUri: fn.outputs.arn,
      payloadFormatVersion: "2.0",
    });
    const permission = r().one("aws:lambda/permission:Permission", (x) => /^ApiRoute/.test(x.name) && x.inputs.function === fn.outputs.arn);
    expect(permission.inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      function: fn.outputs.arn,
      principal: "apigateway.amazonaws.com",
    });
  });

  it("runs the ingest on Node.js 24, arm64, within API Gateway's 30 s", () => {
    const { fn } = r().lambda("Ingest");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"], memorySize: INGEST_FUNCTION.memoryMb });
    expect(fn.inputs.timeout).toBeLessThanOrEqual(29);
    expect(fn.inputs.environment.variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: "ingest" });
  });
});

describe("lake bucket", () => {
  it("moves raw/ to Deep Archive and expires it after 365 days; expires processed/ after 90 and stale load and triage claims after 2", () => {
    const rules = r().one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    const rule = (prefix: string) => rules.find((x: { filter?: { prefix?: string } }) => x.filter?.prefix === prefix);
    expect(rule("raw/")).toMatchObject({
      status: "Enabled",
      transitions: [{ days: 30, storageClass: "DEEP_ARCHIVE" }],
      expiration: { days: 365 },
    });
    expect(rule("processed/")).toMatchObject({ status: "Enabled", expiration: { days: 90 } });
    expect(rule("processed/").transitions).toBeUndefined();
    expect(rule("manifests/in-flight/")).toMatchObject({ status: "Enabled", expiration: { days: 2 } });
    // Triage claims a crash left behind; dlq/ itself (dead letters, ledger) never expires.
    expect(rule("dlq/triage/claims/")).toMatchObject({ status: "Enabled", expiration: { days: 2 } });
    expect(rules.filter((x: { filter?: { prefix?: string } }) => (x.filter?.prefix ?? "").startsWith("dlq/")).map((x: { filter: { prefix: string } }) => x.filter.prefix)).toEqual(["dlq/triage/claims/"]);
    expect(rules).toHaveLength(4);
  });

  it("sends its events to EventBridge", () => {
    const notification = r().one("aws:s3/bucketNotification:BucketNotification");
    expect(notification.inputs).toEqual({ bucket: bucket().outputs.bucket, eventbridge: true });
  });

  it("blocks public access, encrypts at rest and refuses plain HTTP", () => {
    expect(r().one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toEqual({
      bucket: bucket().outputs.bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(r().one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs).toEqual({
      bucket: bucket().outputs.bucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    const policy = policyStatements([r().one("aws:s3/bucketPolicy:BucketPolicy")]);
    expect(policy).toEqual([
      expect.objectContaining({ effect: "Deny", actions: ["s3:*"], resources: [bucket().outputs.arn, `${bucket().outputs.arn}/*`] }),
    ]);
    expect(r().has("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")).toBe(false);
  });
});

describe("alerts", () => {
  it("creates the MarketingAlerts and OpsAlerts topics and the Freshet bus", () => {
    expect(r().one("sst:aws:SnsTopic", "MarketingAlerts")).toBeDefined();
    expect(r().one("sst:aws:SnsTopic", "OpsAlerts")).toBeDefined();
    expect(r().ofType("aws:sns/topic:Topic").map((t) => t.name).sort()).toEqual(["MarketingAlertsTopic", "OpsAlertsTopic"]);
    expect(r().one("sst:aws:Bus", "Freshet")).toBeDefined();
    expect(r().one("aws:cloudwatch/eventBus:EventBus", "FreshetBus")).toBeDefined();
  });
});

describe("links and bundles", () => {
  it("gives the ingest Events and IngestApiKey, and the transformer Lake", () => {
    expect(build("Ingest").links).toEqual({
      Events: { name: stream().outputs.name, type: "sst.aws.KinesisStream" },
      IngestApiKey: { value: "ci-key", type: "sst.sst.Secret" },
    });
    expect(build("Transformer").links).toEqual({ Lake: { name: bucket().outputs.bucket, type: "sst.aws.Bucket" } });
  });

  it("bundles both handlers minified for nodejs24.x arm64, leaving the AWS SDK to the runtime", () => {
    for (const id of ["Ingest", "Transformer"]) {
      const b = build(id);
      expect(b.runtime).toBe("nodejs24.x");
      expect(b.properties).toMatchObject({ minify: true, architecture: "arm64", esbuild: { external: ["@aws-sdk/*"] } });
      expect(b.bytes).toBeGreaterThan(1000);
      // Imported at run time, so present in the runtime and absent from the bundle.
      expect(b.externalImports.filter((p) => p.startsWith("@aws-sdk/")).length).toBeGreaterThan(0);
      expect(b.externalImports.filter((p) => !p.startsWith("@aws-sdk/") && !isNodeBuiltin(p))).toEqual([]);
    }
    expect(build("Ingest").externalImports).toContain("@aws-sdk/client-kinesis");
    expect(build("Transformer").externalImports).toContain("@aws-sdk/client-s3");
  });

  it("matches the committed sst-env.d.ts", () => {
    expect(parseSstEnv(join(ROOT, "sst-env.d.ts"))).toEqual(linkShapes(r()));
  });
});

describe("least privilege", () => {
  it("grants no wildcard action in any IAM statement", () => {
    const statements = policyStatements(r().all, result.calls);
    // The walk must have seen the function policies, or the check below proves nothing.
    expect(statements.filter((s) => s.source.includes("inlinePolicies")).length).toBeGreaterThanOrEqual(4);
    expect(wildcardGrants(statements)).toEqual([]);
  });

  it("lets the ingest only put records on its stream", () => {
    expect(inlineStatements("IngestRole")).toEqual([
      { effect: "Allow", actions: ["kinesis:PutRecord", "kinesis:PutRecords"], resources: [stream().outputs.arn] },
    ]);
  });

  it("lets the transformer only write its lake prefixes, read its stream and report failures", () => {
    const lake = bucket().outputs.arn;
    expect(inlineStatements("TransformerRole")).toEqual([
      {
        effect: "Allow",
        actions: ["s3:PutObject"],
        resources: ["dlq", "processed", "raw", "receipts"].map((p) => `${lake}/${p}/*`),
      },
      {
        effect: "Allow",
        actions: [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
          "kinesis:ListStreams",
        ],
        resources: [stream().outputs.arn],
      },
      { effect: "Allow", actions: ["sqs:SendMessage"], resources: [queue().outputs.arn] },
    ]);
  });

  it("lets only Lambda assume the function roles", () => {
    for (const role of ["IngestRole", "TransformerRole"]) {
      const trust = policyStatements([r().one("aws:iam/role:Role", role)]).filter((s) => s.source.includes("assumeRolePolicy"));
      expect(trust).toEqual([expect.objectContaining({ effect: "Allow", actions: ["sts:AssumeRole"] })]);
      expect(r().one("aws:iam/role:Role", role).inputs.assumeRolePolicy.Statement[0].Principal).toEqual({
        Service: "lambda.amazonaws.com",
      });
    }
  });

  it("strips SST's service-wide link grants from Freshet's links", () => {
    for (const name of ["Events", "Lake", "TransformerFailures", "MarketingAlerts", "OpsAlerts", "Freshet"]) {
      const ref = r().one("sst:sst:LinkRef", `${name}LinkRef`);
      expect(ref.inputs.include ?? []).toEqual([]);
    }
  });
});

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || ["crypto", "fs", "process", "util", "os", "path", "stream", "zlib", "http", "https", "url", "module", "buffer", "events"].includes(specifier);
}
