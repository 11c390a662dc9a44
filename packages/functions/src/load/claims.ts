import type { S3Client } from "@aws-sdk/client-s3";
import { LOAD_CLAIMS_PREFIX } from "@freshet/core";
import { ClaimReadError } from "./errors.ts";
import { deleteObject, listPrefix, putJson, readTextIfExists } from "./s3-objects.ts";

/**
 * A running load's claim on its objects and receipts. The ledger says what is loaded; a claim
 * says what is being loaded right now, so a run that starts while another is still copying plans
 * the next objects instead of the same ones (which it would only find loaded, or wait behind, when
 * its transaction ran). The Load workflow deletes its claim when it ends, loaded or failed; a
 * claim outlives its run only if the execution itself died, and then it lapses after
 * `CLAIM_LEASE_MS`, when that execution has certainly timed out.
 */
export interface LoadClaim {
  readonly loadId: string;
  readonly executionName: string | null;
  readonly claimedAt: string;
  /** Processed object keys the load copies. */
  readonly objects: readonly string[];
  /** Batch ids whose receipts the load records. */
  readonly receipts: readonly string[];
}

/** The Load workflow's own timeout (`TimeoutSeconds` 3600): no execution holds a claim longer. */
export const CLAIM_LEASE_MS = 3_600_000;

/**
 * One claim per run (`<loadId>.<execution>.json`): two runs that plan the same load at once
 * write two claims and see each other (see `contendedClaim`), instead of one overwriting the other.
 */
export function claimKeyOf(loadId: string, executionName: string | null): string {
  const run = (executionName ?? "direct").replace(/[^A-Za-z0-9_-]/g, "_");
  return `${LOAD_CLAIMS_PREFIX}${loadId}.${run}.json`;
}

/** What live claims hold: object keys and receipt batch ids no new load should plan. */
export interface Claimed {
  /** Every live claim, by key. */
  readonly byKey: ReadonlyMap<string, LoadClaim>;
  readonly objects: ReadonlySet<string>;
  readonly receipts: ReadonlySet<string>;
  /** Live claims found (for logs and metrics). */
  readonly claims: number;
}

/**
 * The live claims (younger than the lease). Listed before the ledger is read: a claim deleted
 * after this listing belongs to a load that committed first, so the ledger read then shows it.
 */
export async function liveClaims(s3: S3Client, bucket: string, now: Date): Promise<Claimed> {
  const objects = new Set<string>();
  const receipts = new Set<string>();
  const byKey = new Map<string, LoadClaim>();
  const live = (await listPrefix(s3, bucket, LOAD_CLAIMS_PREFIX)).flatMap((o) =>
    o.Key !== undefined && o.Key.endsWith(".json") && (o.LastModified === undefined || now.getTime() - o.LastModified.getTime() < CLAIM_LEASE_MS) ? [o.Key] : [],
  );
  const read = await Promise.all(live.map(async (key) => [key, await readClaim(s3, bucket, key)] as const));
  for (const [key, claim] of read) {
    if (claim === undefined) continue;
    byKey.set(key, claim);
    for (const object of claim.objects) objects.add(object);
    for (const id of claim.receipts) receipts.add(id);
  }
  return { byKey, objects, receipts, claims: byKey.size };
}

/**
 * Whether another run's live claim overlaps `mine`, looked for after writing it. Two planners
 * that ran at the same time both listed the claims before either wrote one, so both may have
 * planned the same objects; the one that writes later always sees the other's claim (S3 lists
 * what was written before), and withdraws. If both see each other both withdraw, and the next
 * run plans those objects: a late load, never a doubled one.
 */
export async function contendedClaim(s3: S3Client, bucket: string, now: Date, mineKey: string, mine: LoadClaim): Promise<string | undefined> {
  const objects = new Set(mine.objects);
  const receipts = new Set(mine.receipts);
  const live = await liveClaims(s3, bucket, now);
  for (const [key, claim] of live.byKey) {
    if (key === mineKey) continue;
    // Loads of different objects of one batch share its receipt, which the load records once
    // (under its lock): only objects, or a receipts-only load's receipts, make a contention.
    if (claim.objects.some((k) => objects.has(k))) return key;
    if (mine.objects.length === 0 && claim.receipts.some((id) => receipts.has(id))) return key;
  }
  return undefined;
}

export async function deleteClaim(s3: S3Client, bucket: string, key: string): Promise<void> {
  await deleteObject(s3, bucket, key);
}

export async function writeClaim(s3: S3Client, bucket: string, claim: LoadClaim): Promise<string> {
  const key = claimKeyOf(claim.loadId, claim.executionName);
  await putJson(s3, bucket, key, claim);
  return key;
}

/** A claim deleted between the listing and the read has ended: undefined. */
async function readClaim(s3: S3Client, bucket: string, key: string): Promise<LoadClaim | undefined> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(s3, bucket, key);
  } catch (error) {
    throw new ClaimReadError(`load claim ${key} could not be read`, { cause: error });
  }
  if (text === undefined) return undefined;
  let parsed: Partial<LoadClaim>;
  try {
    parsed = JSON.parse(text) as Partial<LoadClaim>;
  } catch (cause) {
    throw new ClaimReadError(`load claim ${key} is not JSON`, { cause });
  }
  if (!Array.isArray(parsed.objects) || !Array.isArray(parsed.receipts) || typeof parsed.loadId !== "string") {
    throw new ClaimReadError(`load claim ${key} has no loadId, objects or receipts`);
  }
  return parsed as LoadClaim;
}
