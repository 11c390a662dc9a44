import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { gunzipSync } from "node:zlib";

/** Test helper: every object under a prefix of the local lake, read back through the S3 API. */
export async function readLake(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const bytes = Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      objects.set(o.Key as string, (o.Key as string).endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8"));
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

export function lines(body: string): string[] {
  return body.split("\n").filter((l) => l.length > 0);
}
