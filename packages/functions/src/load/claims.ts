import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LOAD_CLAIMS_PREFIX } from "@freshet/core";
import { ClaimReadError } from "./errors.ts";
import { listPrefix } from "./list-processed.ts";

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

export function claimKeyOf(loadId: string): string {
  return `${LOAD_CLAIMS_PREFIX}${loadId}.json`;
}

/** What live claims hold: object keys and receipt batch ids no new load should plan. */
export interface Claimed {
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
  let claims = 0;
  const listed = await listPrefix(s3, bucket, LOAD_CLAIMS_PREFIX);
  for (const o of listed) {
    if (o.Key === undefined || !o.Key.endsWith(".json")) continue;
    if (o.LastModified !== undefined && now.getTime() - o.LastModified.getTime() >= CLAIM_LEASE_MS) continue;
    const claim = await readClaim(s3, bucket, o.Key);
    if (claim === undefined) continue;
    claims += 1;
    for (const key of claim.objects) objects.add(key);
    for (const id of claim.receipts) receipts.add(id);
  }
  return { objects, receipts, claims };
}

export async function writeClaim(s3: S3Client, bucket: string, claim: LoadClaim): Promise<string> {
  const key = claimKeyOf(claim.loadId);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(claim), ContentType: "application/json" }));
  return key;
}

/** A claim deleted between the listing and the read has ended: undefined. */
async function readClaim(s3: S3Client, bucket: string, key: string): Promise<LoadClaim | undefined> {
  let text: string;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await out.Body?.transformToString("utf8")) ?? "";
  } catch (error) {
    if (error instanceof Error && error.name === "NoSuchKey") return undefined;
    throw new ClaimReadError(`load claim ${key} could not be read`, { cause: error });
  }
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
