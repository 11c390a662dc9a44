import { S3Client } from "@aws-sdk/client-s3";

/**
 * The S3 client, created once per Lambda container. Nothing here names an endpoint: locally the
 * standard `AWS_ENDPOINT_URL` variable points it at the embedded endpoint. One module per client,
 * so a handler's bundle loads only the SDK clients it uses (each costs megabytes of memory).
 */
let s3: S3Client | undefined;

export function s3Client(): S3Client {
  return (s3 ??= new S3Client({}));
}
