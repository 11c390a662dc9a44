import { ANOMALY_STATE_KEY, ANOMALY_STATE_PREFIX } from "@freshet/core";
import { createFunction, powertoolsEnvironment } from "./lambda.ts";
import { bucketWriter } from "./permissions.ts";

/**
 * The AnomalyScoring workflow's function (prepare the series, decide against the lake's series
 * state). It reads and writes its one state object only; listing is narrowed to that prefix
 * (a missing key is told from a refusal by a listing, see readTextIfExists).
 */
export function createAnomalyDecider({ lake }: { readonly lake: sst.aws.Bucket }): sst.aws.Function {
  return createFunction("AnomalyDecider", {
    handler: "packages/functions/src/anomaly-decider.handler",
    description: "Freshet anomaly scoring: series preparation and per-series decisions (core's decideAnomalies)",
    memory: "512 MB",
    timeout: "60 seconds",
    link: [lake],
    permissions: [
      { actions: ["s3:ListBucket"], resources: [lake.arn], conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${ANOMALY_STATE_PREFIX}*`] }] },
      { actions: ["s3:GetObject"], resources: [$interpolate`${lake.arn}/${ANOMALY_STATE_KEY}`] },
      bucketWriter(lake.arn, [ANOMALY_STATE_PREFIX]),
    ],
    environment: powertoolsEnvironment("anomaly-decider"),
  });
}
