/**
 * `freshet anomalies train`: locally, from the embedded warehouse's history to a model the
 * embedded SageMaker endpoint serves; in AWS, the requests of the SageMaker path (training job
 * with the built-in RCF on the points exported to the lake, model, endpoint configuration,
 * UpdateEndpoint), checked with aws-sdk-client-mock since no account is reachable.
 */
import { ExecuteStatementCommand, DescribeStatementCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { DEFAULT_ANOMALY_SETTINGS } from "@freshet/core";
import { mockClient } from "aws-sdk-client-mock";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TrainingJobError } from "../../src/anomaly/errors.ts";
import { jobNameOf, trainInSageMaker } from "../../src/anomaly/train-aws.ts";
import { run as anomalies } from "../../src/cli/commands/anomalies.ts";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createRedshiftDataService } from "../../src/redshift/index.ts";
import { createSageMakerRuntimeService, modelPath } from "../../src/sagemaker/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ENDPOINT = "freshet-local-anomaly";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The embedded Data API and SageMaker Runtime on one endpoint, the CLI's environment pointing at it. */
async function platform(): Promise<{ dataDir: string; endpoint: RunningEndpoint; sql: (sql: string) => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "freshet-train-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const endpoint = await startEndpoint({
    services: [createSageMakerRuntimeService({ dataDir, region: "us-east-1", accountId: "000000000000" }), createRedshiftDataService({ dataDir, s3: { endpointUrl: () => "" } })],
  });
  cleanups.push(() => endpoint.close());
  for (const [name, value] of Object.entries({
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    FRESHET_DATA_DIR: dataDir,
    FRESHET_WORKGROUP: "freshet-local",
    FRESHET_DATABASE: "freshet",
  })) vi.stubEnv(name, value);
  const client = new RedshiftDataClient({ endpoint: endpoint.url, region: "us-east-1", credentials, maxAttempts: 1 });
  cleanups.push(() => client.destroy());
  const sql = async (text: string) => {
    const { Id } = await client.send(new ExecuteStatementCommand({ WorkgroupName: "freshet-local", Database: "freshet", Sql: text }));
    for (;;) {
      const d = await client.send(new DescribeStatementCommand({ Id }));
      if (d.Status === "FINISHED") return;
      if (d.Status === "FAILED" || d.Status === "ABORTED") throw new Error(`${d.Status}: ${d.Error}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { dataDir, endpoint, sql };
}

/** `minutes` of page views (2 or 3 a minute) ending now, in the columns the metric SQL reads. */
async function history(sql: (sql: string) => Promise<void>, minutes: number): Promise<void> {
  await sql("CREATE TABLE events (occurred_at TIMESTAMP, event_type VARCHAR(64), campaign_id VARCHAR(64), channel VARCHAR(64), revenue DOUBLE PRECISION)");
  const now = Math.floor(Date.now() / 60_000);
  const rows: string[] = [];
  for (let m = now - minutes; m < now; m++) {
    const at = new Date(m * 60_000 + 1000).toISOString().replace("T", " ").replace("Z", "");
    for (let k = 0; k < 2 + (m % 2); k++) rows.push(`(TIMESTAMP '${at}', 'page_view', NULL, NULL, NULL)`);
  }
  await sql(`INSERT INTO events (occurred_at, event_type, campaign_id, channel, revenue) VALUES ${rows.join(", ")}`);
}

/** `freshet anomalies …` in this process: its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const written = { stdout: "", stderr: "" };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((written.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((written.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await anomalies(args), ...written };
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
}

describe("freshet anomalies train, locally", () => {
  it("trains on the warehouse's history and the embedded endpoint serves the model", async () => {
    const { dataDir, endpoint, sql } = await platform();
    await history(sql, 150);
    const out = await cli("train", "--hours", "3");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^trained on \d+ points/);
    const file = JSON.parse(readFileSync(modelPath(dataDir, ENDPOINT), "utf8")) as { algorithm: string; featureDim: number };
    expect(file).toMatchObject({ algorithm: "randomcutforest", featureDim: DEFAULT_ANOMALY_SETTINGS.shingleSize });

    // Features are relative to the series' level: ~1 is ordinary, a drop to 0 is not.
    const runtime = new SageMakerRuntimeClient({ endpoint: endpoint.url, region: "us-east-1", credentials, maxAttempts: 1 });
    cleanups.push(() => runtime.destroy());
    const answer = await runtime.send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: "text/csv", Body: new TextEncoder().encode("1,1.2,1,1.2\n1,1.2,1,0") }));
    const { scores } = JSON.parse(new TextDecoder().decode(answer.Body)) as { scores: { score: number }[] };
    expect(scores[1]!.score).toBeGreaterThan(scores[0]!.score);
  });

  it("--json prints what it trained as one JSON line; on a terminal a progress bar goes to stderr, never stdout", async () => {
    const { dataDir, sql } = await platform();
    await history(sql, 150);
    const isTTY = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    cleanups.push(() => {
      if (isTTY) Object.defineProperty(process.stderr, "isTTY", isTTY);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    });
    const out = await cli("train", "--hours", "3", "--json");
    expect(out.code).toBe(0);
    const lines = out.stdout.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    const trained = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(trained).toMatchObject({ endpoint: ENDPOINT, target: "local", hours: 3, series: expect.any(Number), model: modelPath(dataDir, ENDPOINT) });
    expect(trained.points).toBeGreaterThanOrEqual(64);
    expect(trained.seriesRows).toBeGreaterThanOrEqual(trained.series as number);
    expect(trained.series).toBeGreaterThanOrEqual(1);
    expect(out.stderr).toMatch(/\r\x1b\[2Ktrain \d+ {2}s, reading 3 h of history from freshet-local/);
    expect(out.stderr).toContain("training the forest on");
    expect(out.stderr.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("refuses history too short to train on, registering nothing", async () => {
    const { dataDir, sql } = await platform();
    await history(sql, 40);
    const out = await cli("train", "--hours", "1");
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^AnomalyTrainingError: \d+ shingled points of history; training needs at least 64/);
    expect(existsSync(modelPath(dataDir, ENDPOINT))).toBe(false);
  });

  it("answers a usage error with exit code 2 and the usage", async () => {
    expect((await cli("train", "--hours", "none")).code).toBe(2);
    const unknown = await cli("retrain");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown action 'retrain'");
  });
});

describe("freshet anomalies train, in AWS (requests checked with aws-sdk-client-mock)", () => {
  const NOW = new Date("2026-12-07T04:30:15Z");
  const ROLE = "arn:aws:iam::123456789012:role/freshet-production-AnomalyExecutionRole";
  const JOB = "freshet-production-anomaly-20261207043015";

  function clients() {
    const s3 = mockClient(S3Client);
    const sagemaker = mockClient(SageMakerClient);
    cleanups.push(() => {
      s3.restore();
      sagemaker.restore();
    });
    s3.on(PutObjectCommand).resolves({});
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: `arn:aws:sagemaker:eu-west-1:123456789012:training-job/${JOB}` });
    sagemaker.on(CreateModelCommand).resolves({});
    sagemaker.on(CreateEndpointConfigCommand).resolves({});
    sagemaker.on(UpdateEndpointCommand).resolves({});
    const training = {
      s3: new S3Client({ region: "eu-west-1" }),
      sagemaker: new SageMakerClient({ region: "eu-west-1" }),
      region: "eu-west-1",
      bucket: "freshet-production-lake",
      roleArn: ROLE,
      endpointName: "freshet-production-anomaly",
      instanceType: "ml.m5.large",
      settings: DEFAULT_ANOMALY_SETTINGS,
      now: NOW,
      pollMs: 0,
    };
    return { s3, sagemaker, training };
  }

  it("exports the points, trains the built-in RCF, and moves the endpoint to the new model", async () => {
    const { s3, sagemaker, training } = clients();
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolvesOnce({ TrainingJobStatus: "InProgress" })
      .resolves({ TrainingJobStatus: "Completed", ModelArtifacts: { S3ModelArtifacts: `s3://freshet-production-lake/models/output/${JOB}/output/model.tar.gz` } });

    const notes: string[] = [];
    const trained = await trainInSageMaker({ ...training, progress: (note) => notes.push(note) }, "1,1,1,1\n1,1,1,0.9\n");
    // What a progress bar shows while the job runs: each phase, and the job's status at every poll.
    expect(notes).toEqual(["uploading the training data", "training job InProgress", "training job Completed", "creating the model and updating the endpoint"]);

    expect(jobNameOf("freshet-production-anomaly", NOW)).toBe(JOB);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: "freshet-production-lake", Key: `models/training/${JOB}/train.csv`, Body: "1,1,1,1\n1,1,1,0.9\n", ContentType: "text/csv" },
    ]);
    const image = "438346466558.dkr.ecr.eu-west-1.amazonaws.com/randomcutforest:1";
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input).toEqual({
      TrainingJobName: JOB,
      AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: "File" },
      RoleArn: ROLE,
      HyperParameters: { feature_dim: "4", num_trees: "100", num_samples_per_tree: "256" },
      InputDataConfig: [
        {
          ChannelName: "train",
          ContentType: "text/csv;label_size=0",
          DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `s3://freshet-production-lake/models/training/${JOB}/`, S3DataDistributionType: "ShardedByS3Key" } },
        },
      ],
      OutputDataConfig: { S3OutputPath: "s3://freshet-production-lake/models/output/" },
      ResourceConfig: { InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    });
    expect(sagemaker.commandCalls(DescribeTrainingJobCommand)).toHaveLength(2);
    expect(sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input).toEqual({
      ModelName: JOB,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: image, ModelDataUrl: trained.modelArtifact },
    });
    expect(sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input).toEqual({
      EndpointConfigName: JOB,
      ProductionVariants: [{ VariantName: "AllTraffic", ModelName: JOB, InstanceType: "ml.m5.large", InitialInstanceCount: 1, InitialVariantWeight: 1 }],
    });
    expect(sagemaker.commandCalls(UpdateEndpointCommand)[0]!.args[0].input).toEqual({ EndpointName: "freshet-production-anomaly", EndpointConfigName: JOB });
  });

  it("leaves the endpoint alone when the training job fails", async () => {
    const { sagemaker, training } = clients();
    sagemaker.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: "Failed", FailureReason: "ClientError: feature_dim mismatch" });
    await expect(trainInSageMaker(training, "1,1,1,1\n")).rejects.toThrow(new TrainingJobError(`training job ${JOB} Failed: ClientError: feature_dim mismatch`));
    expect(sagemaker.commandCalls(CreateModelCommand)).toHaveLength(0);
    expect(sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });
});
