/**
 * The IAM statements Freshet's functions get, one helper per need. Actions are always listed by
 * name (never `*` or `service:*`) and scoped to the one resource (or key prefix) they are for.
 */

type Arn = $util.Input<string>;

export interface Permission {
  actions: string[];
  resources: Arn[];
}

/** Write records to a stream (the ingest). */
export function streamProducer(streamArn: Arn): Permission {
  return { actions: ["kinesis:PutRecord", "kinesis:PutRecords"], resources: [streamArn] };
}

/** What Lambda's event source mapping reads a stream with, on the consumer's role. */
export function streamConsumer(streamArn: Arn): Permission {
  return {
    actions: [
      "kinesis:DescribeStream",
      "kinesis:DescribeStreamSummary",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:ListShards",
      "kinesis:ListStreams",
    ],
    resources: [streamArn],
  };
}

/** Put objects under the given prefixes of a bucket, nothing else (no read, list or delete). */
export function bucketWriter(bucketArn: $util.Output<string>, prefixes: readonly string[]): Permission {
  return {
    actions: ["s3:PutObject"],
    resources: prefixes.map((prefix) => $interpolate`${bucketArn}/${prefix}*`),
  };
}

/** Send to one queue (an event source mapping's on-failure destination). */
export function queueSender(queueArn: Arn): Permission {
  return { actions: ["sqs:SendMessage"], resources: [queueArn] };
}
