import { KinesisClient } from "@aws-sdk/client-kinesis";

/**
 * The Kinesis client, created once per Lambda container. Nothing here names an endpoint: locally
 * the standard `AWS_ENDPOINT_URL` variable points it at the embedded endpoint. One module per
 * client, so a handler's bundle loads only the SDK clients it uses.
 */
let kinesis: KinesisClient | undefined;

export function kinesisClient(): KinesisClient {
  return (kinesis ??= new KinesisClient({}));
}
