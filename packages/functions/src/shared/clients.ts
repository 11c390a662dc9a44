import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * SDK clients, created once per Lambda container. Nothing here names an endpoint: locally the
 * standard `AWS_ENDPOINT_URL` variable points them at the embedded endpoint.
 */
let kinesis: KinesisClient | undefined;
let s3: S3Client | undefined;

export function kinesisClient(): KinesisClient {
  return (kinesis ??= new KinesisClient({}));
}

export function s3Client(): S3Client {
  return (s3 ??= new S3Client({}));
}
