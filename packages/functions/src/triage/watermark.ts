import type { S3Client } from "@aws-sdk/client-s3";
import { TRIAGE_WATERMARK_KEY } from "@freshet/core";
import { putJsonIf, readObjectIfExists } from "../load/s3-objects.ts";

/*
 * Find's watermark (`dlq/triage/watermark.json`): the oldest `dt=` day that still held a
 * dead-letter object without a done marker. Find lists from the older of the watermark and its
 * look-back window (yesterday, or the sweep's days), so its cost follows the days with work, not
 * all history. Only Find writes it, with a conditional write on the ETag it read:
 *
 * - lowering it (an unhandled object older than the watermark, found by the sweep) is always
 *   safe, and is retried on a conflict;
 * - raising it is safe only from a listing that started at or below the stored value (everything
 *   older is done), which the conditional write checks; on a conflict it is dropped, and the next
 *   Find raises it.
 *
 * A dead letter written later than its day's listing into a day below the watermark (a batch the
 * transformer takes late, at most the stream's retention after it arrived) is found by the
 * sweep's look-back, which stacks/config.ts checks covers that retention.
 */

export interface Watermark {
  /** Undefined when the object does not say (unreadable): Find lists everything, then rewrites it. */
  readonly dt: string | undefined;
  readonly etag: string | undefined;
}

export interface WatermarkState {
  readonly oldestUnhandledDt: string;
  readonly at: string;
  readonly executionName: string | null;
}

export async function readWatermark(s3: S3Client, bucket: string): Promise<Watermark | undefined> {
  const read = await readObjectIfExists(s3, bucket, TRIAGE_WATERMARK_KEY);
  if (read === undefined) return undefined;
  let dt: unknown;
  try {
    dt = (JSON.parse(read.text) as Partial<WatermarkState>).oldestUnhandledDt;
  } catch {
    dt = undefined;
  }
  return { dt: typeof dt === "string" && /^\d{4}-\d{2}-\d{2}$/.test(dt) ? dt : undefined, etag: read.etag };
}

/**
 * Moves the watermark to `dt`, found by a listing that started at `listedFrom` (undefined: the
 * whole prefix) against the watermark `read` before it. Returns what the watermark now says, as
 * far as this call knows.
 */
export async function advanceWatermark(
  s3: S3Client,
  bucket: string,
  read: Watermark | undefined,
  listedFrom: string | undefined,
  dt: string,
  at: Date,
  executionName: string | null,
): Promise<string | undefined> {
  let current = read;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (current?.dt === dt) return dt;
    const lowering = current?.dt !== undefined && dt < current.dt;
    const covered = listedFrom === undefined || (current?.dt !== undefined && listedFrom <= current.dt);
    if (!lowering && !covered) return current?.dt;
    const state: WatermarkState = { oldestUnhandledDt: dt, at: at.toISOString(), executionName };
    if (await putJsonIf(s3, bucket, TRIAGE_WATERMARK_KEY, state, current?.etag)) return dt;
    // Someone else wrote it since it was read: raise no further from this listing, lower still.
    if (!lowering) return (await readWatermark(s3, bucket))?.dt;
    current = await readWatermark(s3, bucket);
  }
  return current?.dt;
}
