import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { quarantineKey } from "@freshet/core";
import { gzipSync } from "node:zlib";

/** One quarantined line: what it was, and why no rule repairs it. */
export interface QuarantineEntry {
  readonly reason: string;
  readonly line: Readonly<Record<string, unknown>>;
}

/**
 * Writes a dead-letter object's quarantined letters, one gzip NDJSON object per reason at
 * `dlq/quarantine/dt=…/reason=…/<batch>.ndjson.gz` (same day and batch as the dead letters, so
 * a repeated triage overwrites rather than adds). Returns the keys written.
 */
export async function writeQuarantine(s3: S3Client, bucket: string, deadLetterKey: string, entries: readonly QuarantineEntry[]): Promise<string[]> {
  const byReason = new Map<string, string[]>();
  for (const e of entries) {
    const lines = byReason.get(e.reason) ?? [];
    lines.push(JSON.stringify(e.line));
    byReason.set(e.reason, lines);
  }
  const keys: string[] = [];
  for (const [reason, lines] of byReason) {
    const key = quarantineKey(deadLetterKey, reason);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: gzipSync(`${lines.join("\n")}\n`),
        ContentType: "application/x-ndjson",
        ContentEncoding: "gzip",
      }),
    );
    keys.push(key);
  }
  return keys;
}
