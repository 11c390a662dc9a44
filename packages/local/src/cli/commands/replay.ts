import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { putRecords } from "@freshet/functions/ingest/put-records";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { LOCAL_RESOURCES } from "../../platform/links.ts";
import { explainFailure, ReplayError, UsageError } from "../errors.ts";
import { useLocalEndpointIfRunning } from "../local-endpoint.ts";
import { createProgress } from "../progress.ts";
import { listRawObjects, readRawRecords, writeReplayRecord, type ReplayRecord } from "../replay-records.ts";
import { parseTime } from "./audit.ts";

export const summary = "put the raw archive's records of a time range back on the stream (exactly once downstream)";

const USAGE = `usage: freshet replay --from <time> --to <time> [--dry-run] [--rate <records/s>] [--json]
                      [--bucket <lake bucket>] [--stream <stream name>]

Re-reads the raw archive (raw/dt=…/hr=…/, every record exactly as the stream delivered it) of the
arrival hours in [from, to) and puts each record back on the Events stream with PutRecords,
under its original partition key. The pipeline handles them as new arrivals; the Load drops
every event_id the warehouse already has (counted as duplicates), so replaying an hour that is
loaded changes no row, and one that was lost loads it. The replay is recorded in the lake
(replays/<id>.json) and \`freshet audit\` lists it.

  --from, --to  arrival hours, ISO-8601 (2026-11-26T05:00Z; no offset = UTC); whole hours are read
  --dry-run     count the objects and records only; put nothing, record nothing
  --rate        at most this many records a second (default: as fast as the stream takes them)
  --json        the summary as one JSON document
  --bucket      the lake bucket (FRESHET_LAKE_BUCKET, default ${LOCAL_RESOURCES.bucketName})
  --stream      the stream (FRESHET_STREAM, default ${LOCAL_RESOURCES.streamName})

Exit code 0 when every record was put, 1 otherwise, 2 on a usage error.`;

/** Entries per PutRecords call (the API's limit); put-records splits further by size. */
const BATCH = 500;

interface Options {
  from?: string;
  to?: string;
  "dry-run"?: boolean;
  rate?: string;
  json?: boolean;
  bucket?: string;
  stream?: string;
  help?: boolean;
}

export interface ReplaySummary {
  readonly dryRun: boolean;
  readonly from: string;
  readonly to: string;
  readonly objects: number;
  readonly records: number;
  readonly replayKey?: string;
}

export async function run(args: string[]): Promise<number> {
  let values: Options;
  let range: { from: Date; to: Date };
  let rate: number | undefined;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        "dry-run": { type: "boolean" },
        rate: { type: "string" },
        json: { type: "boolean" },
        bucket: { type: "string" },
        stream: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (!values.from || !values.to) throw new UsageError("--from and --to are both required: the arrival hours to replay");
    range = { from: parseTime(values.from, "--from"), to: parseTime(values.to, "--to") };
    if (range.from >= range.to) throw new UsageError("--from must be before --to");
    if (values.rate !== undefined) {
      rate = Number(values.rate);
      if (!(rate > 0)) throw new UsageError(`--rate takes a positive number of records a second, got ${JSON.stringify(values.rate)}`);
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }

  const local = useLocalEndpointIfRunning();
  const s3 = new S3Client({ forcePathStyle: local !== undefined });
  const kinesis = new KinesisClient({});
  const bucket = values.bucket ?? process.env.FRESHET_LAKE_BUCKET ?? LOCAL_RESOURCES.bucketName;
  const stream = values.stream ?? process.env.FRESHET_STREAM ?? LOCAL_RESOURCES.streamName;
  try {
    const result = await replay({ s3, kinesis, bucket, stream, ...range, dryRun: values["dry-run"] ?? false, rate });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${describe(result, bucket, stream)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${explainFailure(error)}\n`);
    return 1;
  } finally {
    s3.destroy();
    kinesis.destroy();
  }
}

export interface ReplayOptions {
  readonly s3: S3Client;
  readonly kinesis: KinesisClient;
  readonly bucket: string;
  readonly stream: string;
  readonly from: Date;
  readonly to: Date;
  readonly dryRun: boolean;
  readonly rate?: number | undefined;
}

/** Reads the raw objects of the range one by one and puts their records on the stream, paced. */
export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  const startedAt = new Date();
  const objects = await listRawObjects(o.s3, o.bucket, o.from, o.to);
  const progress = createProgress({ label: o.dryRun ? "counting" : "replaying", total: objects.length });
  // Paced, a call carries about a second's worth: 500 records at once would break a low --rate.
  const size = o.rate ? Math.max(1, Math.min(BATCH, Math.floor(o.rate))) : BATCH;
  let records = 0;
  try {
    for (const [n, object] of objects.entries()) {
      const batch = await readRawRecords(o.s3, o.bucket, object.key);
      if (!o.dryRun) {
        for (let i = 0; i < batch.length; i += size) {
          const chunk = batch.slice(i, i + size);
          if (o.rate) await pace(startedAt.getTime(), records, o.rate);
          try {
            // Throttled entries are retried with backoff; what never makes it fails the replay.
            await putRecords(o.kinesis, o.stream, chunk, { maxAttempts: 8, baseDelayMs: 100 });
          } catch (error) {
            throw new ReplayError(
              `the stream did not take every record of s3://${o.bucket}/${object.key} (${records} records were put before it): ` +
                `run the replay again with a lower --rate; the Load drops what was already delivered`,
              { cause: error },
            );
          }
          records += chunk.length;
        }
      } else {
        records += batch.length;
      }
      progress.update(n + 1, `${records.toLocaleString("en-US")} records`);
    }
  } finally {
    progress.finish();
  }
  const summary = { dryRun: o.dryRun, from: o.from.toISOString(), to: o.to.toISOString(), objects: objects.length, records };
  if (o.dryRun || records === 0) return summary;
  const record: ReplayRecord = {
    id: `${startedAt.toISOString().replace(/[-:.]/g, "")}-${randomUUID().slice(0, 8)}`,
    from: summary.from,
    to: summary.to,
    stream: o.stream,
    objects: objects.length,
    records,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  return { ...summary, replayKey: await writeReplayRecord(o.s3, o.bucket, record) };
}

/** Waits until `sent` records at `rate` a second are due since `startMs`. */
async function pace(startMs: number, sent: number, rate: number): Promise<void> {
  const due = startMs + (sent / rate) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

function describe(s: ReplaySummary, bucket: string, stream: string): string {
  const what = `${s.records.toLocaleString("en-US")} records from ${s.objects} raw object(s) of ${s.from} – ${s.to}`;
  if (s.dryRun) return `dry run: would replay ${what} into ${stream}`;
  if (s.objects === 0) return `nothing to replay: no raw object under s3://${bucket}/raw/ for ${s.from} – ${s.to}`;
  return `replayed ${what} into ${stream}; recorded in s3://${bucket}/${s.replayKey}. The Load counts the already loaded ones as duplicates (freshet audit).`;
}
