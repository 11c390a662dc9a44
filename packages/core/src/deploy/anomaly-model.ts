import { ConfigError } from "../errors.ts";

/**
 * SageMaker's built-in Random Cut Forest, as both `stacks/` (the endpoint's model) and
 * `freshet anomalies train` (the training job) name it: one image for training and inference,
 * published per region by AWS from its own account (SageMaker's "Docker Registry Paths" pages).
 */
const RCF_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  "af-south-1": "455444449433",
  "ap-east-1": "286214385809",
  "ap-northeast-1": "351501993468",
  "ap-northeast-2": "835164637446",
  "ap-northeast-3": "867004704886",
  "ap-south-1": "991648021394",
  "ap-southeast-1": "475088953585",
  "ap-southeast-2": "712309505854",
  "ap-southeast-3": "951798379941",
  "ca-central-1": "469771592824",
  "cn-north-1": "390948362332",
  "cn-northwest-1": "387376663083",
  "eu-central-1": "664544806723",
  "eu-north-1": "669576153137",
  "eu-south-1": "257386234256",
  "eu-west-1": "438346466558",
  "eu-west-2": "644912444149",
  "eu-west-3": "749696950732",
  "me-south-1": "249704162688",
  "sa-east-1": "855470959533",
  "us-east-1": "382416733822",
  "us-east-2": "404615174143",
  "us-gov-west-1": "226302683700",
  "us-west-1": "632365934929",
  "us-west-2": "174872318107",
};

/** The built-in algorithm's version tag: `1` is the only one AWS publishes. */
export const RCF_IMAGE_TAG = "1";

/** The AWS account whose ECR registry holds the region's RCF image. */
export function rcfRegistryAccount(region: string): string {
  const account = RCF_REGISTRY_ACCOUNTS[region];
  if (account === undefined) throw new ConfigError(`SageMaker's built-in Random Cut Forest is not offered in ${region}`);
  return account;
}

/** `382416733822.dkr.ecr.us-east-1.amazonaws.com/randomcutforest:1` for us-east-1, and so on. */
export function rcfImageUri(region: string): string {
  const account = rcfRegistryAccount(region);
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${account}.dkr.ecr.${region}.${suffix}/randomcutforest:${RCF_IMAGE_TAG}`;
}

/** The stage's scoring endpoint: `${app}-${stage}-anomaly` (SageMaker names: 63 characters, `[a-zA-Z0-9-]`). */
export function anomalyEndpointName(app: string, stage: string): string {
  return `${app}-${stage}-anomaly`;
}

/** Where the model artifacts and their training data live in the lake. */
export const MODELS_PREFIX = "models/";
export const TRAINING_PREFIX = `${MODELS_PREFIX}training/`;
