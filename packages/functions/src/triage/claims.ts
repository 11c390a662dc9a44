import type { S3Client } from "@aws-sdk/client-s3";
import {
  TRIAGE_EXECUTION_TIMEOUT_SECONDS,
  TRIAGE_FUNCTION_TIMEOUT_SECONDS,
  TRIAGE_PREFIXES,
  deadLetterKeyOfClaim,
  partitionsFrom,
  triageClaimKey,
} from "@freshet/core";
import { deleteObject, listPrefix, putJsonIf, readTextIfExists } from "../load/s3-objects.ts";
import { forEachLimited } from "../shared/for-each-limited.ts";

/*
 * Per-object claims: which DeadLetterTriage execution is triaging a dead-letter object right now.
 *
 * Why a claim per object and not one run lease held by an execution: a run lease makes executions
 * take turns, so dead letters landing while one triages wait for it (or for the hourly sweep),
 * and a crashed holder stalls all triage until its lease lapses. Claims let executions overlap
 * and split the work: Find takes each object it returns with a conditional PutObject
 * (`If-None-Match: *`, 412 or 409 when another execution got there first), and skips objects
 * with a live claim. The ledger stays what it was: the done marker, written last, says an object
 * is finished; a claim only says "someone is on it".
 *
 * A claim lapses `CLAIM_TTL_MS` after S3 wrote it (its `LastModified`, S3's clock): by then the
 * execution that wrote it has ended for certain (the workflow's `TimeoutSeconds`), and so has
 * any triage invocation it started (the function's timeout; Step Functions does not stop a
 * running Lambda when an execution ends). A lapsed claim is taken over with `If-Match` on its
 * listed ETag, so of two executions taking over the same one, one wins. The triage step deletes
 * the claim after the done marker; one left by a crash is listed as lapsed and the object is
 * triaged again (every write before the done marker is idempotent: see ledger.ts), and the
 * bucket's lifecycle rule removes leftovers after two days.
 */

/** Execution timeout + triage function timeout + a minute for clocks: after it, no holder can still be writing. */
export const CLAIM_TTL_MS = (TRIAGE_EXECUTION_TIMEOUT_SECONDS + TRIAGE_FUNCTION_TIMEOUT_SECONDS + 60) * 1000;

/** Claims written (or taken over) at once. */
const CLAIM_CONCURRENCY = 16;

export interface TriageClaim {
  readonly deadLetterKey: string;
  readonly executionName: string;
  readonly claimedAt: string;
  /** When Find will take it over (for people: Find goes by the claim's `LastModified`). */
  readonly expiresAt: string;
}

/** A claim as listed: enough to tell whether it is live, and to take it over when not. */
export interface ListedClaim {
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
}

export const claimIsLive = (claim: ListedClaim, now: Date): boolean =>
  claim.lastModified === undefined || now.getTime() - claim.lastModified.getTime() < CLAIM_TTL_MS;

/** The claims of the `dt=` partitions from `fromDt` on (all when undefined), by dead-letter key. */
export async function listClaims(s3: S3Client, bucket: string, fromDt: string | undefined): Promise<Map<string, ListedClaim>> {
  const listed = await listPrefix(s3, bucket, TRIAGE_PREFIXES.claims, fromDt === undefined ? undefined : partitionsFrom(TRIAGE_PREFIXES.claims, fromDt));
  const claims = new Map<string, ListedClaim>();
  for (const o of listed) {
    const key = o.Key === undefined ? undefined : deadLetterKeyOfClaim(o.Key);
    if (key !== undefined) claims.set(key, { etag: o.ETag, lastModified: o.LastModified });
  }
  return claims;
}

/**
 * Which of `live` claims name `executionName`: a Find that Step Functions retried finds the
 * claims its first attempt wrote, and keeps them. Read only then (the bodies cost a GET each).
 */
export async function ownClaims(s3: S3Client, bucket: string, live: readonly string[], executionName: string): Promise<Set<string>> {
  const own = new Set<string>();
  await forEachLimited(live, CLAIM_CONCURRENCY, async (deadLetterKey) => {
    const text = await readTextIfExists(s3, bucket, triageClaimKey(deadLetterKey));
    if (text !== undefined && (JSON.parse(text) as Partial<TriageClaim>).executionName === executionName) own.add(deadLetterKey);
  });
  return own;
}

/**
 * Claims `candidates` (oldest first) for `executionName` until `max` are held: a fresh claim with
 * `If-None-Match: *`, a lapsed one (`lapsed` holds its listed ETag) with `If-Match`. Returns the
 * keys claimed, in candidate order (a candidate another execution claimed first is left out), and
 * how many candidates were tried (the rest are beyond the bound).
 */
export async function claimObjects(
  s3: S3Client,
  bucket: string,
  candidates: readonly string[],
  lapsed: ReadonlyMap<string, ListedClaim>,
  executionName: string,
  max: number,
  now: Date,
): Promise<{ claimed: string[]; tried: number }> {
  const won = new Set<string>();
  let next = 0;
  while (won.size < max && next < candidates.length) {
    const round = candidates.slice(next, next + (max - won.size));
    next += round.length;
    await forEachLimited(round, CLAIM_CONCURRENCY, async (key) => {
      if (await claimOne(s3, bucket, key, lapsed.get(key)?.etag, executionName, now)) won.add(key);
    });
  }
  return { claimed: candidates.filter((k) => won.has(k)), tried: next };
}

async function claimOne(s3: S3Client, bucket: string, deadLetterKey: string, lapsedEtag: string | undefined, executionName: string, now: Date): Promise<boolean> {
  const claim: TriageClaim = { deadLetterKey, executionName, claimedAt: now.toISOString(), expiresAt: new Date(now.getTime() + CLAIM_TTL_MS).toISOString() };
  // False: claimed (or taken over) by another execution since the listing (412, 409), or the
  // lapsed claim was deleted meanwhile (404: its holder finished, the done marker is there).
  return putJsonIf(s3, bucket, triageClaimKey(deadLetterKey), claim, lapsedEtag);
}

/** After the done marker: the object is finished, the claim says nothing more. */
export async function releaseClaim(s3: S3Client, bucket: string, deadLetterKey: string): Promise<void> {
  await deleteObject(s3, bucket, triageClaimKey(deadLetterKey));
}
