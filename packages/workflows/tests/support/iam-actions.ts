/**
 * The IAM action a Task state's `Resource` needs, so tests can check that a workflow declares
 * exactly what its states call. An integration missing here fails the test on purpose: whoever
 * adds one states its IAM action (AWS's "IAM policies for integrated services" pages).
 */

/** Optimised integrations (`arn:aws:states:::sns:publish`, …). */
const OPTIMISED: Readonly<Record<string, string>> = {
  "sns:publish": "sns:Publish",
  "events:putEvents": "events:PutEvents",
  "states:startExecution": "states:StartExecution",
  "lambda:invoke": "lambda:InvokeFunction",
};

/** aws-sdk integrations whose IAM action is not the API's name. */
const SDK_ACTIONS: Readonly<Record<string, string>> = {
  "s3:listObjectsV2": "s3:ListBucket",
  "s3:headObject": "s3:GetObject",
};

/** aws-sdk service names whose IAM prefix differs. */
const SDK_PREFIXES: Readonly<Record<string, string>> = {
  redshiftdata: "redshift-data",
  sfn: "states",
  eventbridge: "events",
  sagemakerruntime: "sagemaker",
};

export function iamActionOf(resource: string): string {
  const match = /^arn:[a-z-]+:states:::(aws-sdk:)?([a-z0-9]+):([A-Za-z0-9]+)(?:\.[A-Za-z]+(?::\d+)?)?$/.exec(resource);
  if (!match) throw new Error(`not a Step Functions integration ARN: ${resource}`);
  const [, sdk, service, action] = match as unknown as [string, string | undefined, string, string];
  const key = `${service}:${action}`;
  if (!sdk) {
    const mapped = OPTIMISED[key];
    if (!mapped) throw new Error(`no IAM action known for the optimised integration ${key}`);
    return mapped;
  }
  return SDK_ACTIONS[key] ?? `${SDK_PREFIXES[service] ?? service}:${action[0]!.toUpperCase()}${action.slice(1)}`;
}
