import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import type { IngestRecord } from "@freshet/core";
import { StreamWriteError } from "../errors.ts";

/** PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per request. */
const MAX_ENTRIES = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export interface PutOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS: PutOptions = { maxAttempts: 5, baseDelayMs: 50 };

/**
 * Writes records to the stream in requests within PutRecords' limits and retries exactly the
 * entries Kinesis reports as failed (throttling is per entry, not per request), with
 * exponential backoff and full jitter. Throws `StreamWriteError` naming what never made it.
 */
export async function putRecords(
  client: KinesisClient,
  streamName: string,
  records: readonly IngestRecord[],
  options: Partial<PutOptions> = {},
): Promise<number> {
  const { maxAttempts, baseDelayMs, sleep = delay } = { ...DEFAULTS, ...options };
  let pending = records.map((_, index) => index);
  let lastError: unknown;
  for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    const stillFailing: number[] = [];
    for (const chunk of chunksOf(pending, records)) {
      const entries: PutRecordsRequestEntry[] = chunk.map((i) => ({
        Data: (records[i] as IngestRecord).data,
        PartitionKey: (records[i] as IngestRecord).partitionKey,
      }));
      try {
        const result = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
        result.Records?.forEach((entry, j) => {
          if (entry.ErrorCode) stillFailing.push(chunk[j] as number);
        });
      } catch (error) {
        lastError = error; // the whole request failed (network, 5xx after SDK retries): retry it all
        stillFailing.push(...chunk);
      }
    }
    pending = stillFailing;
  }
  const accepted = records.length - pending.length;
  if (pending.length > 0) {
    throw new StreamWriteError(
      accepted,
      pending,
      `${pending.length} of ${records.length} events were not accepted by the stream after ${maxAttempts} attempts`,
      { cause: lastError },
    );
  }
  return accepted;
}

function* chunksOf(indexes: readonly number[], records: readonly IngestRecord[]): Generator<number[]> {
  let chunk: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const record = records[index] as IngestRecord;
    const size = record.data.byteLength + Buffer.byteLength(record.partitionKey);
    if (chunk.length === MAX_ENTRIES || (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(index);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
