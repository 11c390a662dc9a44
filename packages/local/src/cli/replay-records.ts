import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LAKE_PREFIXES, partitionOf, partitionPath, type IngestRecord } from "@freshet/core";
import { gunzipSync } from "node:zlib";
import { ReplayError } from "./errors.ts";

/**
 * The raw archive side of `freshet replay`: which raw objects an hour range holds, the records
 * each holds (as the stream delivered them: partition key and exact bytes), and the replay's
 * record in the lake (`replays/<id>.json`), which `freshet audit` reports.
 */

export interface RawObject {
  readonly key: string;
  readonly size: number;
}

export interface ReplayRecord {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly stream: string;
  readonly objects: number;
  readonly records: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

const HOUR = 3_600_000;

/** `raw/dt=…/hr=…/` of every hour that [from, to) touches, oldest first. */
export function rawHourPrefixes(from: Date, to: Date): string[] {
  const prefixes: string[] = [];
  for (let t = Math.floor(from.getTime() / HOUR) * HOUR; t < to.getTime(); t += HOUR) {
    prefixes.push(`${LAKE_PREFIXES.raw}${partitionPath(partitionOf(new Date(t)))}/`);
  }
  return prefixes;
}

export async function listRawObjects(s3: S3Client, bucket: string, from: Date, to: Date): Promise<RawObject[]> {
  const objects: RawObject[] = [];
  for (const prefix of rawHourPrefixes(from, to)) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return objects;
}

/** The records of one raw object: gzip NDJSON of `{ partition_key, data_base64, … }` lines. */
export async function readRawRecords(s3: S3Client, bucket: string, key: string): Promise<IngestRecord[]> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await object.Body!.transformToByteArray());
  let text: string;
  try {
    text = (key.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (error) {
    throw new ReplayError(`s3://${bucket}/${key} is not gzip: is it a raw archive object?`, { cause: error });
  }
  const records: IngestRecord[] = [];
  for (const [n, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let parsed: { partition_key?: unknown; data_base64?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch (error) {
      throw new ReplayError(`s3://${bucket}/${key} line ${n + 1} is not JSON`, { cause: error });
    }
    if (typeof parsed.partition_key !== "string" || typeof parsed.data_base64 !== "string") {
      throw new ReplayError(`s3://${bucket}/${key} line ${n + 1} has no partition_key/data_base64: not a raw archive record`);
    }
    records.push({ partitionKey: parsed.partition_key, data: Buffer.from(parsed.data_base64, "base64") });
  }
  return records;
}

export function replayKey(id: string): string {
  return `${LAKE_PREFIXES.replays}${id}.json`;
}

export async function writeReplayRecord(s3: S3Client, bucket: string, record: ReplayRecord): Promise<string> {
  const key = replayKey(record.id);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(record), ContentType: "application/json" }));
  return key;
}

/** Every replay recorded in the lake, oldest first. */
export async function listReplays(s3: S3Client, bucket: string): Promise<ReplayRecord[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: LAKE_PREFIXES.replays, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key?.endsWith(".json")) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const records = await Promise.all(
    keys.map(async (Key) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString()) as ReplayRecord),
  );
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
