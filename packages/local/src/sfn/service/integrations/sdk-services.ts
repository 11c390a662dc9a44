/**
 * The AWS services an `arn:aws:states:::aws-sdk:<service>:<action>` Task can call, by the service
 * name Step Functions uses in the resource: the SDK v3 package and client class that speak to it,
 * and the PascalCase service name AWS puts before the exception name in the error
 * (`S3.NoSuchKeyException`, `Sfn.ExecutionDoesNotExistException`, …).
 */
export interface SdkService {
  readonly packageName: string;
  readonly clientClass: string;
  readonly errorPrefix: string;
}

export const SDK_SERVICES: Readonly<Record<string, SdkService>> = {
  athena: { packageName: "@aws-sdk/client-athena", clientClass: "AthenaClient", errorPrefix: "Athena" },
  cloudwatch: { packageName: "@aws-sdk/client-cloudwatch", clientClass: "CloudWatchClient", errorPrefix: "CloudWatch" },
  cloudwatchlogs: { packageName: "@aws-sdk/client-cloudwatch-logs", clientClass: "CloudWatchLogsClient", errorPrefix: "CloudWatchLogs" },
  dynamodb: { packageName: "@aws-sdk/client-dynamodb", clientClass: "DynamoDBClient", errorPrefix: "DynamoDb" },
  eventbridge: { packageName: "@aws-sdk/client-eventbridge", clientClass: "EventBridgeClient", errorPrefix: "EventBridge" },
  firehose: { packageName: "@aws-sdk/client-firehose", clientClass: "FirehoseClient", errorPrefix: "Firehose" },
  glue: { packageName: "@aws-sdk/client-glue", clientClass: "GlueClient", errorPrefix: "Glue" },
  kinesis: { packageName: "@aws-sdk/client-kinesis", clientClass: "KinesisClient", errorPrefix: "Kinesis" },
  lambda: { packageName: "@aws-sdk/client-lambda", clientClass: "LambdaClient", errorPrefix: "Lambda" },
  redshiftdata: { packageName: "@aws-sdk/client-redshift-data", clientClass: "RedshiftDataClient", errorPrefix: "RedshiftData" },
  s3: { packageName: "@aws-sdk/client-s3", clientClass: "S3Client", errorPrefix: "S3" },
  sagemakerruntime: {
    packageName: "@aws-sdk/client-sagemaker-runtime",
    clientClass: "SageMakerRuntimeClient",
    errorPrefix: "SageMakerRuntime",
  },
  scheduler: { packageName: "@aws-sdk/client-scheduler", clientClass: "SchedulerClient", errorPrefix: "Scheduler" },
  secretsmanager: { packageName: "@aws-sdk/client-secrets-manager", clientClass: "SecretsManagerClient", errorPrefix: "SecretsManager" },
  sfn: { packageName: "@aws-sdk/client-sfn", clientClass: "SFNClient", errorPrefix: "Sfn" },
  sns: { packageName: "@aws-sdk/client-sns", clientClass: "SNSClient", errorPrefix: "Sns" },
  sqs: { packageName: "@aws-sdk/client-sqs", clientClass: "SQSClient", errorPrefix: "Sqs" },
  ssm: { packageName: "@aws-sdk/client-ssm", clientClass: "SSMClient", errorPrefix: "Ssm" },
  sts: { packageName: "@aws-sdk/client-sts", clientClass: "STSClient", errorPrefix: "Sts" },
};

/** `listObjectsV2` → `ListObjectsV2Command`, the SDK v3 command class of an aws-sdk action. */
export function commandClassName(action: string): string {
  return `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
}
