import type { S3Client } from "@aws-sdk/client-s3";
import { DEAD_LETTER_REASONS, TRIAGE_PREFIXES, deadLetterKeyOfDone, deadLetterPath } from "@freshet/core";
import { TriageInputError } from "../errors.ts";
import { listPrefix, type ListedObject } from "../load/s3-objects.ts";
import type { FindResult } from "./types.ts";

/**
 * The dead-letter objects no execution has finished: everything under `dlq/dt=` without a done
 * marker in the ledger, optionally of one reason, oldest first, at most `maxObjects` (the rest
 * are counted as deferred, for the summary's "oldest unhandled").
 */
export async function findUnhandled(s3: S3Client, bucket: string, options: { reason?: string | undefined; maxObjects: number }): Promise<FindResult> {
  const reason = checkedReason(options.reason);
  const [letters, done] = await Promise.all([listPrefix(s3, bucket, TRIAGE_PREFIXES.deadLetters), listPrefix(s3, bucket, TRIAGE_PREFIXES.ledger)]);
  const handled = new Set(done.map((o) => deadLetterKeyOfDone(o.Key ?? "")).filter((k): k is string => k !== undefined));
  const unhandled = letters
    .filter((o): o is ListedObject & { Key: string } => o.Key !== undefined && !handled.has(o.Key))
    .filter((o) => {
      const path = deadLetterPath(o.Key);
      return path !== undefined && (reason === undefined || path.reason === reason);
    })
    .sort((a, b) => time(a) - time(b) || a.Key.localeCompare(b.Key));
  const taken = unhandled.slice(0, options.maxObjects);
  const deferred = unhandled.slice(options.maxObjects);
  return {
    objects: taken.map((o) => ({ key: o.Key, size: o.Size ?? 0, lastModified: new Date(time(o)).toISOString() })),
    unhandled: unhandled.length,
    deferred: deferred.length,
    oldestDeferredAt: deferred.length > 0 ? new Date(time(deferred[0]!)).toISOString() : null,
  };
}

const time = (o: ListedObject) => o.LastModified?.getTime() ?? 0;

/** A reason filter must be one of the transformer's codes: a typo would silently find nothing. */
function checkedReason(reason: string | undefined): string | undefined {
  if (reason === undefined || reason === "") return undefined;
  if (!(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) {
    throw new TriageInputError(`unknown dead-letter reason "${reason}": one of ${DEAD_LETTER_REASONS.join(", ")}`);
  }
  return reason;
}
