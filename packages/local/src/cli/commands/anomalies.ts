import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import {
  DEFAULT_ANOMALY_SETTINGS,
  anomalyEndpointName,
  checkTrainingPoints,
  trainAnomalyModel,
  trainingCsv,
  trainingFeatures,
  type AnomalySettings,
} from "@freshet/core";
import { resolve } from "node:path";
import { LOCAL_WAREHOUSE } from "../../deploy/local-resources.ts";
import { historyWindow, readHistory } from "../../anomaly/history.ts";
import { formatAnomalies, listAnomalies } from "../../anomaly/list.ts";
import { parseSince } from "../../sns/alerts.ts";
import { AlertQueryError } from "../../sns/errors.ts";
import { trainInSageMaker } from "../../anomaly/train-aws.ts";
import { LOCAL_RESOURCES } from "../../platform/links.ts";
import { registerLocalModel } from "../../sagemaker/index.ts";
import { CommandError } from "../errors.ts";
import { createActivity, type Activity } from "../progress.ts";
import { parseSubcommand } from "../subcommand-args.ts";
import { useLocalEndpointIfRunning } from "../local-endpoint.ts";

export const summary = "anomaly detection: train the Random Cut Forest model on the warehouse's history; list detected anomalies; score a series CSV";

const USAGE = `usage: freshet anomalies <train|list|score> …

  list [--since <ISO time | 30m | 2h | 7d>] [--json]
        the anomalies and recoveries AnomalyScoring alerted (the warehouse's anomalies table),
        newest first; --since defaults to 24h; --json prints one JSON object a line

  score --input <FILE.csv> [--time-column timestamp] [--value-column value]
        streams a series CSV through the scoring path and writes CSV to stdout,
        timestamp,value,score,anomaly (a series in, a series out: no --json)
        (freshet anomalies score --help)

  train [--hours n] [--seed n] [--endpoint <name>] [--json]
        builds the anomaly model from the last n hours (default 24) of every metric's per-minute
        series in the warehouse (the scoring workflow's own SQL and features) and puts it behind
        the stage's endpoint:
          locally (a running npm start): trains the TS forest and registers it with the embedded
            SageMaker endpoint (<data dir>/sagemaker/endpoints/<endpoint>.json)
          in AWS: uploads the points to the lake (models/training/…), runs a SageMaker training
            job with the built-in RCF, creates the model and an endpoint configuration and
            updates the endpoint (--role-arn, --bucket, --instance-type)
        then prints what it trained; --json as one JSON object line: endpoint, target (local or
        aws), points, series, seriesRows, hours, model (the model file, or in AWS the artifact
        s3://…, with trainingJob and trainingData). On a terminal, a progress bar meanwhile.

  --endpoint       SageMaker endpoint (FRESHET_ANOMALY_ENDPOINT, default ${anomalyEndpointName(LOCAL_RESOURCES.app.name, LOCAL_RESOURCES.app.stage)})
  --workgroup      Redshift Serverless workgroup (FRESHET_WORKGROUP, default ${LOCAL_WAREHOUSE.warehouseWorkgroupName})
  --database       database (FRESHET_DATABASE, default ${LOCAL_WAREHOUSE.warehouseDatabase})
  --role-arn       AWS: the role SageMaker assumes (FRESHET_ANOMALY_ROLE_ARN; the stack's AnomalyExecutionRole)
  --bucket         AWS: the lake bucket (FRESHET_LAKE_BUCKET)
  --instance-type  AWS: training and hosting instance (default ml.m5.large)`;

interface Options {
  hours?: string;
  seed?: string;
  endpoint?: string;
  workgroup?: string;
  database?: string;
  "role-arn"?: string;
  bucket?: string;
  "instance-type"?: string;
  since?: string;
  json?: boolean;
  help?: boolean;
}

/** Subcommands, by name: each gets the parsed options and the positionals after its name. */
const ACTIONS: Record<string, (options: Options, rest: string[]) => Promise<number>> = {
  train,
  list,
};

export async function run(args: string[]): Promise<number> {
  // score has options of its own and needs no AWS client: its module parses them.
  if (args[0] === "score") return (await import("./anomalies-score.ts")).run(args.slice(1));
  const parsed = parseSubcommand<Options>(
    args,
    {
      hours: { type: "string" },
      seed: { type: "string" },
      endpoint: { type: "string" },
      workgroup: { type: "string" },
      database: { type: "string" },
      "role-arn": { type: "string" },
      bucket: { type: "string" },
      "instance-type": { type: "string" },
      since: { type: "string" },
      json: { type: "boolean" },
    },
    USAGE,
  );
  if ("exitCode" in parsed) return parsed.exitCode;
  const { values, action, rest } = parsed;
  try {
    const handler = ACTIONS[action];
    if (!handler) throw new CommandError(`unknown action '${action}'`, 2);
    return await handler(values, rest);
  } catch (error) {
    if (error instanceof CommandError) {
      process.stderr.write(`${error.message}\n${error.exitCode === 2 ? `\n${USAGE}\n` : ""}`);
      return error.exitCode;
    }
    const e = error as Error;
    process.stderr.write(`${e.name}: ${e.message}\n`);
    return 1;
  }
}

/** What `anomalies train` prints (one JSON line with --json): the model it trained and where it went. */
export interface TrainedModel {
  readonly endpoint: string;
  readonly target: "local" | "aws";
  /** Shingled points the model was trained on. */
  readonly points: number;
  /** Metric series (metric and dimension) and their per-minute rows in the window. */
  readonly series: number;
  readonly seriesRows: number;
  readonly hours: number;
  /** Locally the model file the embedded endpoint serves; in AWS the training job's artifact (s3://…). */
  readonly model: string;
  readonly trainingJob?: string;
  readonly trainingData?: string;
}

/** `anomalies train`: history → shingled features → a model behind the endpoint (local or AWS). */
async function train(values: Options): Promise<number> {
  const hours = positive(values.hours ?? "24", "--hours");
  const seed = Math.floor(positive(values.seed ?? "1", "--seed"));
  const settings: AnomalySettings = DEFAULT_ANOMALY_SETTINGS;
  const local = useLocalEndpointIfRunning();
  const endpoint = values.endpoint ?? process.env.FRESHET_ANOMALY_ENDPOINT ?? anomalyEndpointName(LOCAL_RESOURCES.app.name, LOCAL_RESOURCES.app.stage);
  const warehouse = {
    workgroup: values.workgroup ?? process.env.FRESHET_WORKGROUP ?? LOCAL_WAREHOUSE.warehouseWorkgroupName,
    database: values.database ?? process.env.FRESHET_DATABASE ?? LOCAL_WAREHOUSE.warehouseDatabase,
  };
  // Reading hours of history and a SageMaker training job take minutes: show what is going on.
  const activity = createActivity({ label: "train" });
  try {
    activity.step(`reading ${hours} h of history from ${warehouse.workgroup}`);
    const window = historyWindow(new Date(), hours);
    const redshift = new RedshiftDataClient({});
    const rows = await readHistory(redshift, warehouse, window).finally(() => redshift.destroy());
    const features = trainingFeatures(rows, window, settings);
    const base = { endpoint, points: features.length, series: new Set(rows.map((r) => `${r.metric}\u0000${r.dimension}`)).size, seriesRows: rows.length, hours };
    let trained: TrainedModel;
    if (local !== undefined) {
      activity.step(`training the forest on ${features.length} points`);
      const forest = trainAnomalyModel(features, settings, seed);
      const dataDir = resolve(process.env.FRESHET_DATA_DIR ?? ".freshet");
      trained = { ...base, target: "local", model: registerLocalModel(dataDir, endpoint, forest) };
    } else {
      trained = { ...base, target: "aws", ...(await trainInAws(values, endpoint, settings, features, activity)) };
    }
    activity.finish();
    process.stdout.write(values.json ? `${JSON.stringify(trained)}\n` : `${describeTrained(trained)}\n`);
    return 0;
  } finally {
    activity.finish();
  }
}

function describeTrained(t: TrainedModel): string {
  const on = `${t.points} points (${t.series} series, ${t.seriesRows} series rows over ${t.hours} h)`;
  return t.target === "local"
    ? `trained on ${on}; ${t.endpoint} serves ${t.model}`
    : `trained ${t.trainingJob} on ${on} (${t.trainingData}); ${t.endpoint} updating to ${t.model}`;
}

async function trainInAws(
  values: Options,
  endpointName: string,
  settings: AnomalySettings,
  features: number[][],
  activity: Activity,
): Promise<{ model: string; trainingJob: string; trainingData: string }> {
  const roleArn = values["role-arn"] ?? process.env.FRESHET_ANOMALY_ROLE_ARN;
  const bucket = values.bucket ?? process.env.FRESHET_LAKE_BUCKET;
  if (!roleArn || !bucket) throw new CommandError("training in AWS needs --role-arn and --bucket (or FRESHET_ANOMALY_ROLE_ARN, FRESHET_LAKE_BUCKET)", 2);
  // Same minimum as the local model: a job on too little history would only fail later.
  checkTrainingPoints(features.length);
  const s3 = new S3Client({});
  const sagemaker = new SageMakerClient({});
  try {
    const region = await sagemaker.config.region();
    const trained = await trainInSageMaker(
      {
        s3,
        sagemaker,
        region,
        bucket,
        roleArn,
        endpointName,
        instanceType: values["instance-type"] ?? "ml.m5.large",
        settings,
        now: new Date(),
        log: (line) => activity.log(line),
        progress: (note) => activity.step(note),
      },
      trainingCsv(features),
    );
    return { model: trained.modelArtifact, trainingJob: trained.jobName, trainingData: trained.trainingUri };
  } finally {
    s3.destroy();
    sagemaker.destroy();
  }
}

/** `anomalies list`: the warehouse's anomalies since --since (default the last 24 hours). */
async function list(values: Options): Promise<number> {
  let since: Date;
  try {
    since = parseSince(values.since ?? "24h", Date.now());
  } catch (error) {
    if (error instanceof AlertQueryError) throw new CommandError(error.message, 2);
    throw error;
  }
  useLocalEndpointIfRunning();
  const warehouse = {
    workgroup: values.workgroup ?? process.env.FRESHET_WORKGROUP ?? LOCAL_WAREHOUSE.warehouseWorkgroupName,
    database: values.database ?? process.env.FRESHET_DATABASE ?? LOCAL_WAREHOUSE.warehouseDatabase,
  };
  const redshift = new RedshiftDataClient({});
  const rows = await listAnomalies(redshift, warehouse, since).finally(() => redshift.destroy());
  process.stdout.write(values.json ? rows.map((r) => `${JSON.stringify(r)}\n`).join("") : formatAnomalies(rows));
  return 0;
}

function positive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CommandError(`${option} must be a positive number, got '${text}'`, 2);
  return n;
}
