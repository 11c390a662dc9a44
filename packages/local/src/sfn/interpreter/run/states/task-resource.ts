/**
 * How AWS names a Task's resource in history events: `arn:aws:states:::lambda:invoke` →
 * resourceType `lambda`, resource `invoke`; `arn:aws:states:::aws-sdk:s3:getObject` →
 * `aws-sdk:s3` / `getObject`; `…:::sqs:sendMessage.waitForTaskToken` → `sqs` /
 * `sendMessage.waitForTaskToken`. A plain Lambda function ARN is the older Lambda-task form,
 * reported with `LambdaFunction…` events instead of `Task…` ones.
 */
export interface TaskResource {
  readonly resourceType: string;
  readonly resource: string;
  /** `LambdaFunction` for a plain function ARN, else `Task`. */
  readonly eventPrefix: "Task" | "LambdaFunction";
  readonly waitForTaskToken: boolean;
}

const INTEGRATION = /^arn:[^:]+:states:::(.+)$/;
const FUNCTION = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/;

export function describeResource(arn: string): TaskResource {
  const waitForTaskToken = arn.endsWith(".waitForTaskToken");
  const integration = INTEGRATION.exec(arn);
  if (integration) {
    const parts = integration[1]!.split(":");
    if (parts[0] === "aws-sdk" && parts.length >= 3) {
      return { resourceType: `aws-sdk:${parts[1]}`, resource: parts.slice(2).join(":"), eventPrefix: "Task", waitForTaskToken };
    }
    return { resourceType: parts[0]!, resource: parts.slice(1).join(":"), eventPrefix: "Task", waitForTaskToken };
  }
  if (FUNCTION.test(arn)) return { resourceType: "lambda", resource: arn, eventPrefix: "LambdaFunction", waitForTaskToken: false };
  const activity = /^arn:[^:]+:states:[^:]*:[^:]*:activity:/.test(arn);
  return { resourceType: activity ? "activity" : "unknown", resource: arn, eventPrefix: "Task", waitForTaskToken };
}

/** The region an execution runs in, from its ARN (`arn:aws:states:eu-west-1:…`). */
export function regionOf(executionArn: string): string {
  return executionArn.split(":")[3] || "us-east-1";
}
