import { S3Client } from "@aws-sdk/client-s3";

/**
 * The floor of the handler measurement: a "handler" that loads the S3 client as the transformer
 * does and returns at once, so the same child process shows what the runtime's own work (module
 * loading, one event parsed per invocation) costs before the transformer does anything.
 */
const client = new S3Client({});

export async function handler(event: { Records: unknown[] }): Promise<{ batchItemFailures: never[]; records: number; region: unknown }> {
  return { batchItemFailures: [], records: event.Records.length, region: typeof client.config.region };
}
