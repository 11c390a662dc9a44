import type { S3Client } from "@aws-sdk/client-s3";
import { triageDoneKey, triageRedriveKey } from "@freshet/core";
import { putJson, readTextIfExists } from "../load/s3-objects.ts";

/*
 * The triage ledger: per dead-letter object, two markers under `dlq/triage/ledger/`.
 *
 * - `<batch>.redrive.json`: `redriving` with the event ids, written BEFORE PutRecords; `redriven`,
 *   written right after the stream accepted them. A later call that finds `redriven` does not put
 *   the records again; one that finds `redriving` (a crash in between: the records may or may not
 *   be on the stream) puts them again, which the warehouse absorbs: redriven records keep their
 *   `event_id` and the load dedupes on it.
 * - `<batch>.done.json`: written LAST, after the redrive and the quarantine writes. Find skips an
 *   object with one; without one the object is triaged again, and every write before it is
 *   idempotent (same keys, same bytes; the redrive as above).
 */

export type RedriveState = "redriving" | "redriven";

export interface RedriveMarker {
  readonly state: RedriveState;
  readonly deadLetterKey: string;
  readonly eventIds: readonly string[];
  readonly executionName: string;
  readonly at: string;
}

export interface DoneMarker {
  readonly deadLetterKey: string;
  readonly executionName: string;
  readonly triagedAt: string;
  readonly letters: number;
  readonly repaired: number;
  readonly redriven: number;
  readonly quarantined: number;
  readonly byRule: Readonly<Record<string, number>>;
  readonly unreadable: string | null;
}

export async function isTriaged(s3: S3Client, bucket: string, deadLetterKey: string): Promise<boolean> {
  return (await readTextIfExists(s3, bucket, triageDoneKey(deadLetterKey))) !== undefined;
}

export async function readRedriveMarker(s3: S3Client, bucket: string, deadLetterKey: string): Promise<RedriveMarker | undefined> {
  const text = await readTextIfExists(s3, bucket, triageRedriveKey(deadLetterKey));
  return text === undefined ? undefined : (JSON.parse(text) as RedriveMarker);
}

export async function writeRedriveMarker(s3: S3Client, bucket: string, marker: RedriveMarker): Promise<void> {
  await putJson(s3, bucket, triageRedriveKey(marker.deadLetterKey), marker);
}

export async function writeDoneMarker(s3: S3Client, bucket: string, marker: DoneMarker): Promise<void> {
  await putJson(s3, bucket, triageDoneKey(marker.deadLetterKey), marker);
}
