/**
 * stacks/anomaly.ts under the mock synthesis: the built-in Random Cut Forest for the stage's
 * region behind the endpoint `freshet-ci-anomaly`, its artifact under the lake's `models/`, an
 * execution role that reads and writes `models/` only, the `AnomalyEndpoint` link, and
 * `sagemaker:InvokeEndpoint` granted on that endpoint alone wherever it is granted.
 */
import { anomalyEndpointArn } from "@freshet/workflows";
import { rcfImageUri } from "@freshet/core";
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, REGION } from "./harness/fake-aws.ts";
import { policyStatements } from "./harness/iam.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
const lake = () => r().one("aws:s3/bucket:Bucket", "LakeBucket").outputs as { arn: string; bucket: string };
const endpoint = () => r().one("aws:sagemaker/endpoint:Endpoint", "AnomalyEndpoint");
const role = () => r().one("aws:iam/role:Role", "AnomalyExecutionRole");

describe("the anomaly endpoint", () => {
  it("serves the region's built-in RCF image with the artifact under the lake's models/ prefix", () => {
    const model = r().one("aws:sagemaker/model:Model", "AnomalyModel");
    expect(rcfImageUri(REGION)).toBe("382416733822.dkr.ecr.us-east-1.amazonaws.com/randomcutforest:1");
    expect(model.inputs.primaryContainer).toEqual({
      image: rcfImageUri(REGION),
      modelDataUrl: `s3://${lake().bucket}/models/anomaly/model.tar.gz`,
    });
    expect(model.inputs.executionRoleArn).toBe(role().outputs.arn);
  });

  it("is named for the stage and configured with one AllTraffic variant of that model", () => {
    const configuration = r().one("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "AnomalyEndpointConfiguration");
    expect(configuration.inputs.productionVariants).toEqual([
      {
        variantName: "AllTraffic",
        modelName: r().one("aws:sagemaker/model:Model", "AnomalyModel").outputs.name,
        instanceType: "ml.m5.large",
        initialInstanceCount: 1,
        initialVariantWeight: 1,
      },
    ]);
    expect(endpoint().inputs).toMatchObject({ name: "freshet-ci-anomaly", endpointConfigName: configuration.outputs.name });
  });

  it("is what the workflows' resources name and link as AnomalyEndpoint", () => {
    const ref = r().one("sst:sst:LinkRef", "AnomalyEndpointLinkRef");
    expect(ref.inputs.properties).toEqual({ name: "freshet-ci-anomaly", arn: endpoint().outputs.arn });
    // Whoever links it may invoke this endpoint, nothing else.
    const include = ref.inputs.include as { actions: string[]; resources: string[] }[];
    expect(include.map(({ actions, resources }) => ({ actions, resources }))).toEqual([
      { actions: ["sagemaker:InvokeEndpoint"], resources: [endpoint().outputs.arn] },
    ]);
    expect(endpoint().outputs.arn).toBe(`arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/freshet-ci-anomaly`);
  });
});

describe("least privilege", () => {
  it("lets only SageMaker assume the execution role", () => {
    expect(JSON.parse(role().inputs.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
  });

  it("gives the execution role models/ of the lake, the RCF image, its own logs and metrics, nothing more", () => {
    const [policy] = role().inputs.inlinePolicies as { policy: string }[];
    const { bucket, arn } = lake();
    expect(bucket).toBeTruthy();
    expect(JSON.parse(policy!.policy).Statement).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${arn}/models/*`] },
      { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn], Condition: { StringLike: { "s3:prefix": ["models/*"] } } },
      { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      {
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [`arn:aws:ecr:${REGION}:382416733822:repository/randomcutforest`],
      },
      {
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: [
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/freshet-ci-anomaly:*`,
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:*`,
        ],
      },
      { Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*"] } } },
    ]);
  });

  it("grants sagemaker:InvokeEndpoint on the anomaly endpoint only, and no other SageMaker action to anyone", () => {
    const statements = policyStatements(r().all, result.calls).filter((s) => s.actions.some((a) => a.startsWith("sagemaker:")));
    const endpointArn = endpoint().outputs.arn as string;
    expect(anomalyEndpointArn({ partition: "aws", region: REGION, accountId: ACCOUNT, anomalyEndpointName: "freshet-ci-anomaly" } as never)).toBe(endpointArn);
    for (const statement of statements) {
      expect(statement.actions, statement.source).toEqual(["sagemaker:InvokeEndpoint"]);
      expect(statement.resources, statement.source).toEqual([endpointArn]);
    }
  });
});
