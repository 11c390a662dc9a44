import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  UpdateEndpointCommand,
  type ProductionVariantInstanceType,
  type SageMakerClient,
  type TrainingInstanceType,
} from "@aws-sdk/client-sagemaker";
import { TRAINING_PREFIX, MODELS_PREFIX, rcfHyperParameters, rcfImageUri, type AnomalySettings } from "@freshet/core";
import { setTimeout as sleep } from "node:timers/promises";
import { TrainingJobError } from "./errors.ts";

export interface SageMakerTraining {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly region: string;
  /** The lake: training data under `models/training/`, artifacts under `models/output/`. */
  readonly bucket: string;
  /** The role SageMaker assumes for the job and the model (`AnomalyExecutionRole`). */
  readonly roleArn: string;
  readonly endpointName: string;
  readonly instanceType: string;
  readonly settings: AnomalySettings;
  /** Names the job, model and configuration; the CLI passes the current time. */
  readonly now: Date;
  /** Between DescribeTrainingJob calls (tests pass 0). */
  readonly pollMs?: number;
  readonly maxPolls?: number;
  readonly log?: (line: string) => void;
  /** What the training is doing now (`training job InProgress (Training)`), for a progress bar. */
  readonly progress?: (note: string) => void;
}

export interface TrainedInSageMaker {
  readonly jobName: string;
  readonly trainingUri: string;
  readonly modelArtifact: string;
}

/**
 * Trains SageMaker's built-in Random Cut Forest on `csv` (one shingled point a line, the same
 * features the local forest trains on) and moves the endpoint to it: upload the data, run the
 * training job to its end, create the model and an endpoint configuration, UpdateEndpoint
 * (SageMaker swaps instances without downtime).
 */
export async function trainInSageMaker(t: SageMakerTraining, csv: string): Promise<TrainedInSageMaker> {
  const jobName = jobNameOf(t.endpointName, t.now);
  const image = rcfImageUri(t.region);
  t.progress?.("uploading the training data");
  const trainingUri = await uploadTrainingData(t, jobName, csv);
  await startTrainingJob(t, jobName, image, trainingUri);
  const modelArtifact = await waitForModel(t, jobName);
  t.progress?.("creating the model and updating the endpoint");
  await deployModel(t, jobName, image, modelArtifact);
  return { jobName, trainingUri, modelArtifact };
}

/** `<endpoint>-<yyyymmddhhmmss>`: unique per run, within SageMaker's 63 characters. */
export function jobNameOf(endpointName: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${endpointName.slice(0, 63 - stamp.length - 1)}-${stamp}`;
}

async function uploadTrainingData(t: SageMakerTraining, jobName: string, csv: string): Promise<string> {
  const key = `${TRAINING_PREFIX}${jobName}/train.csv`;
  await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: csv, ContentType: "text/csv" }));
  return `s3://${t.bucket}/${TRAINING_PREFIX}${jobName}/`;
}

async function startTrainingJob(t: SageMakerTraining, jobName: string, image: string, trainingUri: string): Promise<void> {
  await t.sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: jobName,
      AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: "File" },
      RoleArn: t.roleArn,
      HyperParameters: rcfHyperParameters(t.settings),
      InputDataConfig: [
        {
          ChannelName: "train",
          // RCF is unsupervised: no label column.
          ContentType: "text/csv;label_size=0",
          DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: trainingUri, S3DataDistributionType: "ShardedByS3Key" } },
        },
      ],
      OutputDataConfig: { S3OutputPath: `s3://${t.bucket}/${MODELS_PREFIX}output/` },
      ResourceConfig: { InstanceType: t.instanceType as TrainingInstanceType, InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  t.log?.(`training job ${jobName} started`);
}

async function waitForModel(t: SageMakerTraining, jobName: string): Promise<string> {
  const maxPolls = t.maxPolls ?? 240;
  for (let poll = 0; poll < maxPolls; poll++) {
    const job = await t.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    t.progress?.(`training job ${job.TrainingJobStatus ?? "?"}${job.SecondaryStatus ? ` (${job.SecondaryStatus})` : ""}`);
    if (job.TrainingJobStatus === "Completed") {
      const artifact = job.ModelArtifacts?.S3ModelArtifacts;
      if (!artifact) throw new TrainingJobError(`training job ${jobName} completed without model artifacts`);
      return artifact;
    }
    if (job.TrainingJobStatus === "Failed" || job.TrainingJobStatus === "Stopped") {
      throw new TrainingJobError(`training job ${jobName} ${job.TrainingJobStatus}: ${job.FailureReason ?? "no reason given"}`);
    }
    await sleep(t.pollMs ?? 15_000);
  }
  throw new TrainingJobError(`training job ${jobName} still running after ${maxPolls} polls`);
}

async function deployModel(t: SageMakerTraining, name: string, image: string, modelArtifact: string): Promise<void> {
  await t.sagemaker.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: t.roleArn, PrimaryContainer: { Image: image, ModelDataUrl: modelArtifact } }));
  await t.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [{ VariantName: "AllTraffic", ModelName: name, InstanceType: t.instanceType as ProductionVariantInstanceType, InitialInstanceCount: 1, InitialVariantWeight: 1 }],
    }),
  );
  await t.sagemaker.send(new UpdateEndpointCommand({ EndpointName: t.endpointName, EndpointConfigName: name }));
  t.log?.(`endpoint ${t.endpointName} updating to ${name}`);
}
