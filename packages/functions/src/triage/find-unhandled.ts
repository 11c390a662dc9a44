import type { S3Client } from "@aws-sdk/client-s3";
import { DEAD_LETTER_REASONS, TRIAGE_PREFIXES, deadLetterKeyOfDone, deadLetterPath, partitionsFrom } from "@freshet/core";
import { TriageInputError } from "../errors.ts";
import { listPrefix, type ListedObject } from "../load/s3-objects.ts";
import { claimIsLive, claimObjects, listClaims, ownClaims, type ListedClaim } from "./claims.ts";
import type { FindResult } from "./types.ts";
import { advanceWatermark, readWatermark } from "./watermark.ts";

export interface FindOptions {
  /** Only dead letters of this reason; all when absent. */
  readonly reason?: string | undefined;
  readonly maxObjects: number;
  readonly now: Date;
  /** Days before today listed whatever the watermark says: 1 for a landing's execution, the sweep's look-back for the sweep. */
  readonly lookbackDays: number;
  /** The execution the objects are claimed for; without one (or in a dry run) nothing is claimed or written. */
  readonly executionName?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** Step Functions retried this Find: claims naming this execution may exist, and are its own. */
  readonly retried?: boolean | undefined;
}

const DAY_MS = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The dead-letter objects no execution has finished or is triaging: under `dlq/dt=` from the
 * watermark's day (or the look-back's, if older) on, without a done marker in the ledger and
 * without a live claim, optionally of one reason, oldest first, at most `maxObjects` — each
 * claimed for this execution (see claims.ts). The rest are counted as deferred (for the
 * summary's "oldest unhandled") or in progress. Then the watermark moves to the oldest day that
 * still has an object without a done marker (see watermark.ts). A Find that finds nothing to
 * take writes nothing.
 *
 * The ledger and the claims mirror the dead letters' `dt=`, so all three listings start at the
 * same day (`StartAfter`). Claims are listed before the ledger: a claim deleted after its listing
 * belongs to an object whose done marker was written before, so the ledger listing shows it.
 */
export async function findUnhandled(s3: S3Client, bucket: string, options: FindOptions): Promise<FindResult> {
  const reason = checkedReason(options.reason);
  const { now } = options;
  const claiming = options.executionName !== undefined && options.dryRun !== true;
  const watermark = await readWatermark(s3, bucket);
  const windowFrom = dayOf(now.getTime() - options.lookbackDays * DAY_MS);
  // No watermark yet (a new deployment, or one from before it existed): everything, once.
  const from = watermark?.dt === undefined ? undefined : watermark.dt < windowFrom ? watermark.dt : windowFrom;
  const after = (prefix: string) => (from === undefined ? undefined : partitionsFrom(prefix, from));

  const [letters, { claims, done }] = await Promise.all([
    listPrefix(s3, bucket, TRIAGE_PREFIXES.deadLetters, after(TRIAGE_PREFIXES.deadLetters)),
    (async () => {
      const claims = await listClaims(s3, bucket, from);
      return { claims, done: await listPrefix(s3, bucket, TRIAGE_PREFIXES.ledger, after(TRIAGE_PREFIXES.ledger)) };
    })(),
  ]);
  const handled = new Set(done.map((o) => deadLetterKeyOfDone(o.Key ?? "")).filter((k): k is string => k !== undefined));
  const unhandledAll = letters
    .filter((o): o is ListedObject & { Key: string } => o.Key !== undefined && deadLetterPath(o.Key) !== undefined && !handled.has(o.Key))
    .sort((a, b) => time(a) - time(b) || a.Key.localeCompare(b.Key));
  const unhandled = reason === undefined ? unhandledAll : unhandledAll.filter((o) => deadLetterPath(o.Key)!.reason === reason);

  const live = unhandled.filter((o) => claims.has(o.Key) && claimIsLive(claims.get(o.Key)!, now)).map((o) => o.Key);
  const own = claiming && options.retried === true && live.length > 0 ? await ownClaims(s3, bucket, live, options.executionName!) : new Set<string>();
  const othersLive = new Set(live.filter((k) => !own.has(k)));
  const candidates = unhandled.filter((o) => !othersLive.has(o.Key));
  const { taken, untried } = claiming
    ? await claimCandidates(s3, bucket, candidates, claims, own, options.executionName!, options.maxObjects, now)
    : { taken: new Set(candidates.slice(0, options.maxObjects).map((o) => o.Key)), untried: new Set(candidates.slice(options.maxObjects).map((o) => o.Key)) };
  const objects = candidates.filter((o) => taken.has(o.Key));
  // Beyond the bound: the candidates not tried. Lost to another execution's claim: in progress.
  const deferred = candidates.filter((o) => untried.has(o.Key));

  // A dry run writes nothing; nor does a Find that listed no dead letter at all (no watermark is needed to skip nothing).
  const watermarkDt = options.dryRun === true || letters.length === 0 ? watermark?.dt : await moveWatermark();
  return {
    objects: objects.map((o) => ({ key: o.Key, size: o.Size ?? 0, lastModified: new Date(time(o)).toISOString() })),
    unhandled: unhandled.length,
    deferred: deferred.length,
    oldestDeferredAt: deferred.length > 0 ? new Date(time(deferred[0]!)).toISOString() : null,
    inProgress: unhandled.length - objects.length - deferred.length,
    listedFrom: from ?? null,
    watermark: watermarkDt ?? null,
  };

  async function moveWatermark(): Promise<string | undefined> {
    const oldest = unhandledAll.reduce<string | undefined>((min, o) => {
      const dt = deadLetterPath(o.Key)!.dt;
      return min === undefined || dt < min ? dt : min;
    }, undefined);
    return advanceWatermark(s3, bucket, watermark, from, oldest ?? dayOf(now.getTime()), now, options.executionName ?? null);
  }
}

/** This execution's own claims (a retried Find) count as taken; the rest are claimed until the bound. */
async function claimCandidates(
  s3: S3Client,
  bucket: string,
  candidates: readonly (ListedObject & { Key: string })[],
  claims: ReadonlyMap<string, ListedClaim>,
  own: ReadonlySet<string>,
  executionName: string,
  maxObjects: number,
  now: Date,
): Promise<{ taken: Set<string>; untried: Set<string> }> {
  const mine = candidates.filter((o) => own.has(o.Key)).map((o) => o.Key);
  const rest = candidates.filter((o) => !own.has(o.Key)).map((o) => o.Key);
  const { claimed, tried } = await claimObjects(s3, bucket, rest, claims, executionName, Math.max(0, maxObjects - mine.length), now);
  return { taken: new Set([...mine, ...claimed]), untried: new Set(rest.slice(tried)) };
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
