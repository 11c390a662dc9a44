/**
 * Security properties of the whole synth (stage "ci"): the lake refuses plain HTTP to everyone,
 * and every IAM role is in the table below with exactly its actions, so a role or an action
 * added anywhere fails here until it is reviewed and listed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { roleStatements } from "./harness/iam.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});
const r = () => result.resources;

const SFN_LOGS = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery"];
const XRAY = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"];
const DATA_API = ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement", "redshift-serverless:GetCredentials", "tag:GetResources", "tag:GetTagKeys"];
const OWN_STATEMENTS = ["redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"];
const START = ["states:StartExecution"];

/** Every role of the stage and the exact set of actions its identity policies allow. */
const ACTIONS: Record<string, readonly string[]> = {
  IngestRole: ["kinesis:PutRecord", "kinesis:PutRecords"],
  TransformerRole: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "s3:PutObject", "sqs:SendMessage"],
  WarehouseCopyRole: ["s3:GetObject", "s3:ListBucket"],
  AnomalyExecutionRole: ["cloudwatch:PutMetricData", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
  AnomalyDeciderRole: ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
  DeadLetterTriagerRole: ["kinesis:PutRecords", "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
  TriageDebounceRole: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject", ...START],
  MigrateRole: [...DATA_API, ...OWN_STATEMENTS],
  MetricsApiRole: [...DATA_API, "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"],
  LoadPlannerRole: [...DATA_API, ...OWN_STATEMENTS, "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
  LakeFreshnessWorkflowRole: [...SFN_LOGS, ...XRAY, "s3:GetObject", "s3:ListBucket", "s3:PutObject", "sns:Publish"],
  DeadLetterTriageWorkflowRole: [...SFN_LOGS, ...XRAY, "events:PutEvents", "lambda:InvokeFunction", "s3:DeleteObject", "sns:Publish"],
  LoadWorkflowRole: [...SFN_LOGS, ...XRAY, ...DATA_API, ...OWN_STATEMENTS, "events:PutEvents", "lambda:InvokeFunction", "s3:DeleteObject", "s3:GetObject", "s3:PutObject", "sns:Publish"],
  MaintenanceWorkflowRole: [...SFN_LOGS, ...XRAY, ...DATA_API.filter((a) => a !== "redshift-data:BatchExecuteStatement"), ...OWN_STATEMENTS, "events:PutEvents", "s3:DeleteObject", "s3:ListBucket", "s3:PutObject", "sns:Publish", "states:ListExecutions"],
  AnomalyScoringWorkflowRole: [...SFN_LOGS, ...XRAY, ...DATA_API.filter((a) => a !== "redshift-data:BatchExecuteStatement"), "redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "events:PutEvents", "lambda:InvokeFunction", "sagemaker:InvokeEndpoint", "sns:Publish"],
  LakeFreshnessSchedulerRole: START,
  DeadLetterTriageSchedulerRole: START,
  LoadSchedulerRole: START,
  MaintenanceSchedulerRole: START,
  AnomalyScoringSchedulerRole: START,
  AnomalyScoringEventsRole: START,
};

/**
 * Actions granted on `*`: each has no resource-level permission in IAM's service authorization
 * reference (Step Functions log delivery, X-Ray, tag:GetResources, ecr:GetAuthorizationToken),
 * or is scoped by a condition instead (statements by owner, metrics by namespace).
 */
const ON_ANY_RESOURCE = new Set([...SFN_LOGS, ...XRAY, "tag:GetResources", "tag:GetTagKeys", "ecr:GetAuthorizationToken", ...OWN_STATEMENTS, "cloudwatch:PutMetricData"]);
const CONDITIONED_ON_ANY = new Set([...OWN_STATEMENTS, "cloudwatch:PutMetricData"]);

describe("least privilege, role by role", () => {
  it("lists every role of the stage", () => {
    expect(r().ofType("aws:iam/role:Role").map((role) => role.name).sort()).toEqual(Object.keys(ACTIONS).sort());
  });

  it.each(Object.entries(ACTIONS))("%s allows exactly its actions, and nothing is denied it by design", (name, actions) => {
    const statements = roleStatements(r().all, r().one("aws:iam/role:Role", name));
    expect(statements.every((s) => s.effect === "Allow" && s.notActions.length === 0)).toBe(true);
    expect([...new Set(statements.flatMap((s) => s.actions))].sort()).toEqual([...new Set(actions)].sort());
  });

  it.each(Object.keys(ACTIONS))("%s grants `*` as a resource only where IAM offers nothing narrower", (name) => {
    for (const s of roleStatements(r().all, r().one("aws:iam/role:Role", name))) {
      if (!s.resources.includes("*")) continue;
      for (const action of s.actions) expect(ON_ANY_RESOURCE.has(action), `${name}: ${action} on *`).toBe(true);
      if (s.actions.some((a) => CONDITIONED_ON_ANY.has(a))) expect(Object.keys(s.conditions), `${name}: ${s.actions.join(",")}`).not.toEqual([]);
    }
  });

  it("attaches no managed policy but Lambda's basic execution role (logs), and only to function roles", () => {
    for (const role of r().ofType("aws:iam/role:Role")) {
      const managed = (role.inputs.managedPolicyArns ?? []) as string[];
      expect(managed.every((arn) => arn === "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"), role.name).toBe(true);
    }
  });
});

describe("the lake's bucket policy", () => {
  it("denies every action on the bucket and its objects to everyone over plain HTTP (aws:SecureTransport false)", () => {
    const policy = JSON.parse(r().one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string) as { Statement: Record<string, unknown>[] };
    const bucket = r().one("aws:s3/bucket:Bucket", "LakeBucket");
    expect(policy.Statement).toEqual([
      {
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucket.outputs.arn, `${bucket.outputs.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": ["false"] } },
      },
    ]);
  });
});

describe("secrets", () => {
  // SST keeps a secret's value in its Secret and the LinkRef that links it; a function gets it
  // encrypted in its bundle, never in an environment variable or any other resource's inputs.
  it("the API keys are SST secrets: in plain text only in their Secret and its LinkRef", () => {
    for (const value of ["ci-key", "ci-metrics-key"]) {
      const holders = r().all.filter((x) => JSON.stringify(x.inputs).includes(`"${value}"`)).map((x) => `${x.type}::${x.name}`);
      expect(holders.every((h) => h.startsWith("sst:sst:Secret::") || h.startsWith("sst:sst:LinkRef::")), `${value}: ${holders.join(", ")}`).toBe(true);
    }
  });
});
