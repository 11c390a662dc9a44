import { MODELS_PREFIX, anomalyEndpointName, rcfImageUri, rcfRegistryAccount } from "@freshet/core";
import type { StageConfig } from "./config.ts";
import type { Permission } from "./permissions.ts";

/**
 * The SageMaker endpoint that scores business metrics with the built-in Random Cut Forest: a model
 * (the region's RCF image, the artifact `freshet anomalies train` leaves under the lake's
 * `models/` prefix), an endpoint configuration and the endpoint `${app}-${stage}-anomaly`; or,
 * when the stage names one, an existing endpoint. Linkable as `AnomalyEndpoint` ({ name, arn });
 * whoever invokes it gets `anomalyInvoker()` on that endpoint only.
 */
export interface AnomalyInput {
  readonly config: StageConfig;
  readonly lake: sst.aws.Bucket;
}

export type AnomalyLink = sst.Linkable<{ name: $util.Output<string>; arn: $util.Output<string> }>;

export interface Anomaly {
  /** The endpoint's name, as InvokeEndpoint takes it. */
  readonly endpointName: $util.Output<string>;
  readonly endpointArn: $util.Output<string>;
  /** The role SageMaker assumes to host (and train) the model: reads and writes `models/` only. */
  readonly executionRole?: aws.iam.Role;
  readonly endpoint?: aws.sagemaker.Endpoint;
  readonly link: AnomalyLink;
}

/** The artifact the endpoint's first model serves; training replaces the endpoint's configuration. */
export const MODEL_ARTIFACT_KEY = `${MODELS_PREFIX}anomaly/model.tar.gz`;
/** SageMaker's usual name for a one-variant configuration's variant. */
export const VARIANT_NAME = "AllTraffic";

export function createAnomaly({ config, lake }: AnomalyInput): Anomaly {
  const region = aws.getRegionOutput().region;
  const partition = aws.getPartitionOutput().partition;
  const accountId = aws.getCallerIdentityOutput().accountId;
  const existing = config.anomaly.existingEndpointName;
  const name = existing ?? anomalyEndpointName($app.name, $app.stage);
  // SageMaker lower-cases names in its ARNs.
  const endpointArn = $interpolate`arn:${partition}:sagemaker:${region}:${accountId}:endpoint/${name.toLowerCase()}`;

  if (existing !== undefined) return { endpointName: $output(existing), endpointArn, link: linkOf($output(existing), endpointArn) };

  const executionRole = createExecutionRole(name, lake, { region, partition, accountId });
  const model = new aws.sagemaker.Model("AnomalyModel", {
    executionRoleArn: executionRole.arn,
    primaryContainer: {
      image: region.apply((r) => rcfImageUri(r)),
      modelDataUrl: $interpolate`s3://${lake.name}/${MODEL_ARTIFACT_KEY}`,
    },
  });
  const endpointConfiguration = new aws.sagemaker.EndpointConfiguration("AnomalyEndpointConfiguration", {
    productionVariants: [
      {
        variantName: VARIANT_NAME,
        modelName: model.name,
        instanceType: config.anomaly.instanceType,
        initialInstanceCount: config.anomaly.instanceCount,
        initialVariantWeight: 1,
      },
    ],
  });
  const endpoint = new aws.sagemaker.Endpoint(
    "AnomalyEndpoint",
    { name, endpointConfigName: endpointConfiguration.name },
    // `freshet anomalies train` moves the endpoint to a newly trained model's configuration;
    // a later deploy must not move it back.
    { ignoreChanges: ["endpointConfigName"] },
  );
  return { endpointName: endpoint.name, endpointArn: endpoint.arn, executionRole, endpoint, link: linkOf(endpoint.name, endpoint.arn) };
}

/** `sagemaker:InvokeEndpoint` on the one endpoint: the scoring workflow's and nobody else's. */
export function anomalyInvoker(endpointArn: $util.Input<string>): Permission {
  return { actions: ["sagemaker:InvokeEndpoint"], resources: [endpointArn] };
}

function linkOf(name: $util.Output<string>, arn: $util.Output<string>): AnomalyLink {
  return new sst.Linkable("AnomalyEndpoint", {
    properties: { name, arn },
    include: [sst.aws.permission(anomalyInvoker(arn))],
  });
}

interface Account {
  readonly region: $util.Output<string>;
  readonly partition: $util.Output<string>;
  readonly accountId: $util.Output<string>;
}

/**
 * What SageMaker needs to host the model and run its training jobs (SageMaker developer guide,
 * "How to use SageMaker AI execution roles"): the artifacts and training data under `models/`,
 * the built-in image, its own log group and metrics. Nothing else of the lake.
 */
function createExecutionRole(endpointName: string, lake: sst.aws.Bucket, { region, partition, accountId }: Account): aws.iam.Role {
  const policy = $resolve({ bucketArn: lake.arn, region, partition, accountId }).apply(({ bucketArn, region, partition, accountId }) => ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${bucketArn}/${MODELS_PREFIX}*`] },
      { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": [`${MODELS_PREFIX}*`] } } },
      // The RCF image lives in AWS's own account for the region; the token call has no resource.
      { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      {
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [`arn:${partition}:ecr:${region}:${rcfRegistryAccount(region)}:repository/randomcutforest`],
      },
      {
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: [
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/Endpoints/${endpointName}:*`,
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/TrainingJobs:*`,
        ],
      },
      // PutMetricData has no resource-level permissions; the namespace condition keeps it to SageMaker's.
      { Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*"] } } },
    ],
  }));
  return new aws.iam.Role("AnomalyExecutionRole", {
    description: "Freshet anomaly model: SageMaker hosting and training of Random Cut Forest (lake models/ only)",
    // Who may hand SageMaker this role is governed by iam:PassRole on the caller's side.
    assumeRolePolicy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    inlinePolicies: [{ name: "anomaly-model", policy: $jsonStringify(policy) }],
  });
}
