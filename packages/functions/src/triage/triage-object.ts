import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { S3Client } from "@aws-sdk/client-s3";
import { triageDeadLetter, type DeadLetter, type PipelineConfig, type RedriveRecord, type TriageOutcome } from "@freshet/core";
import { UnreadableDeadLettersError } from "../errors.ts";
import { putRecords } from "../ingest/put-records.ts";
import { releaseClaim } from "./claims.ts";
import { triageFaults } from "./faults.ts";
import { isTriaged, readRedriveMarker, writeDoneMarker, writeRedriveMarker } from "./ledger.ts";
import type { QuarantineEntry } from "./quarantine.ts";
import { writeQuarantine } from "./quarantine.ts";
import { parseDeadLetters, readObjectBytes, type DeadLetterLine } from "./read-dead-letters.ts";
import { topSources } from "./top-sources.ts";
import type { ObjectTriage, ReasonCounts } from "./types.ts";

/** Sources each object's result names (see top-sources.ts): 200 objects a run stay far below 256 KiB. */
export const OBJECT_TOP_SOURCES = 5;

export interface TriageContext {
  readonly s3: S3Client;
  readonly kinesis: KinesisClient;
  readonly bucket: string;
  readonly streamName: string;
  /** The transformer's validation settings: a repair is re-validated exactly as it would be. */
  readonly config: PipelineConfig;
  readonly now: () => Date;
}

/** Why a line of a dead-letter object is quarantined without triage. */
export const UNREADABLE_REASON = "unreadable";

/**
 * Triages one dead-letter object: skip it if the ledger says it is done; read it (an object that
 * is not gzip is quarantined whole); triage each letter with core's `triageDeadLetter`; redrive
 * the repaired ones (unless the redrive marker says that already happened); quarantine the rest
 * with their reasons; then the done marker. The order is what makes a crash anywhere safe: see
 * ledger.ts. After the done marker, the claim Find took for this execution is deleted (see
 * claims.ts): a crash before that leaves a claim that lapses, on an object that is done.
 */
export async function triageObject(ctx: TriageContext, key: string, executionName: string, dryRun: boolean): Promise<ObjectTriage> {
  await triageFaults.beforeTriage?.(key, executionName);
  if (dryRun) return triageOnce(ctx, key, executionName, true);
  const result = (await isTriaged(ctx.s3, ctx.bucket, key)) ? skipped(key) : await triageOnce(ctx, key, executionName, false);
  await releaseClaim(ctx.s3, ctx.bucket, key);
  return result;
}

async function triageOnce(ctx: TriageContext, key: string, executionName: string, dryRun: boolean): Promise<ObjectTriage> {
  const bytes = await readObjectBytes(ctx.s3, ctx.bucket, key);
  const lines = readLines(bytes);
  if (lines.kind === "unreadable") return quarantineWhole(ctx, key, executionName, bytes, lines.why, dryRun);

  const now = ctx.now();
  const triaged = triageLines(ctx, key, lines.lines, now);
  const redriven = dryRun ? 0 : await redrive(ctx, key, executionName, triaged.records, triaged.eventIds);
  if (!dryRun) {
    await writeQuarantine(ctx.s3, ctx.bucket, key, triaged.quarantine);
    await writeDoneMarker(ctx.s3, ctx.bucket, {
      deadLetterKey: key,
      executionName,
      triagedAt: now.toISOString(),
      letters: triaged.result.letters,
      repaired: triaged.result.repaired,
      redriven,
      quarantined: triaged.result.quarantined,
      byRule: triaged.result.byRule,
      unreadable: null,
    });
  }
  return { ...triaged.result, redriven };
}

function readLines(bytes: Uint8Array): { kind: "lines"; lines: DeadLetterLine[] } | { kind: "unreadable"; why: string } {
  try {
    return { kind: "lines", lines: parseDeadLetters(bytes) };
  } catch (error) {
    if (error instanceof UnreadableDeadLettersError) return { kind: "unreadable", why: error.message };
    throw error;
  }
}

interface TriagedLines {
  readonly result: Omit<ObjectTriage, "redriven">;
  readonly records: RedriveRecord[];
  readonly eventIds: string[];
  readonly quarantine: QuarantineEntry[];
}

/** Pure: each line's outcome, the records to redrive, the lines to quarantine, the counts. */
function triageLines(ctx: TriageContext, key: string, lines: readonly DeadLetterLine[], now: Date): TriagedLines {
  const byReason: Record<string, ReasonCounts> = {};
  const bySource: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  const records: RedriveRecord[] = [];
  const eventIds: string[] = [];
  const quarantine: QuarantineEntry[] = [];
  let oldest: string | null = null;
  const count = (reason: string, field: keyof ReasonCounts) => {
    const c = (byReason[reason] ??= { letters: 0, repaired: 0, quarantined: 0 });
    c[field] += 1;
  };

  for (const line of lines) {
    if (line.kind === "unreadable") {
      count(UNREADABLE_REASON, "letters");
      count(UNREADABLE_REASON, "quarantined");
      quarantine.push({ reason: UNREADABLE_REASON, line: { quarantine: quarantineNote(key, line.why, now), line: line.line } });
      continue;
    }
    const outcome: TriageOutcome = triageDeadLetter(line.letter, key, ctx.config, now);
    const { reason, source } = outcome.class;
    count(reason, "letters");
    bySource[source.partitionKey] = (bySource[source.partitionKey] ?? 0) + 1;
    oldest = older(oldest, line.letter.source.approximate_arrival);
    if (outcome.kind === "repaired") {
      count(reason, "repaired");
      const rule = `${outcome.rule.id}@${outcome.rule.version}`;
      byRule[rule] = (byRule[rule] ?? 0) + 1;
      records.push(outcome.record);
      eventIds.push(outcome.eventId);
    } else {
      count(reason, "quarantined");
      quarantine.push({ reason, line: { ...quarantinedLetter(line.letter), quarantine: { ...quarantineNote(key, outcome.why, now), class: outcome.class } } });
    }
  }
  const repaired = records.length;
  return {
    result: {
      key,
      alreadyTriaged: false,
      letters: lines.length,
      repaired,
      quarantined: lines.length - repaired,
      byReason,
      bySource: topSources(bySource, OBJECT_TOP_SOURCES),
      byRule,
      unreadable: null,
      oldestArrival: oldest,
    },
    records,
    eventIds,
    quarantine,
  };
}

/**
 * Puts the repaired events on the stream with the ingest function's retrying PutRecords, between
 * the two states of the redrive marker. Returns how many records this call put.
 */
async function redrive(ctx: TriageContext, key: string, executionName: string, records: readonly RedriveRecord[], eventIds: readonly string[]): Promise<number> {
  if (records.length === 0) return 0;
  const previous = await readRedriveMarker(ctx.s3, ctx.bucket, key);
  if (previous?.state === "redriven") return 0;
  const marker = { deadLetterKey: key, eventIds, executionName };
  await writeRedriveMarker(ctx.s3, ctx.bucket, { ...marker, state: "redriving", at: ctx.now().toISOString() });
  const put = await putRecords(ctx.kinesis, ctx.streamName, records.map((r) => ({ partitionKey: r.partitionKey, data: Buffer.from(r.data) })));
  await triageFaults.afterRedrive?.(key);
  await writeRedriveMarker(ctx.s3, ctx.bucket, { ...marker, state: "redriven", at: ctx.now().toISOString() });
  return put;
}

/** An object that is not gzip NDJSON: its bytes, base64, under quarantine with the reason. */
async function quarantineWhole(ctx: TriageContext, key: string, executionName: string, bytes: Uint8Array, why: string, dryRun: boolean): Promise<ObjectTriage> {
  const now = ctx.now();
  if (!dryRun) {
    const line = { quarantine: quarantineNote(key, why, now), object_base64: Buffer.from(bytes).toString("base64") };
    await writeQuarantine(ctx.s3, ctx.bucket, key, [{ reason: UNREADABLE_REASON, line }]);
    await writeDoneMarker(ctx.s3, ctx.bucket, {
      deadLetterKey: key,
      executionName,
      triagedAt: now.toISOString(),
      letters: 1,
      repaired: 0,
      redriven: 0,
      quarantined: 1,
      byRule: {},
      unreadable: why,
    });
  }
  // Counted as one quarantined letter: how many it held cannot be known.
  const byReason = { [UNREADABLE_REASON]: { letters: 1, repaired: 0, quarantined: 1 } };
  return { ...skipped(key), alreadyTriaged: false, letters: 1, quarantined: 1, byReason, unreadable: why };
}

function skipped(key: string): ObjectTriage {
  return { key, alreadyTriaged: true, letters: 0, repaired: 0, redriven: 0, quarantined: 0, byReason: {}, bySource: {}, byRule: {}, unreadable: null, oldestArrival: null };
}

function quarantineNote(key: string, why: string, now: Date) {
  return { why, dead_letter_key: key, quarantined_at: now.toISOString() };
}

/** The letter as the transformer wrote it (its original bytes included). */
function quarantinedLetter(letter: DeadLetter): Record<string, unknown> {
  return { ...letter };
}

function older(a: string | null, b: string | undefined): string | null {
  if (b === undefined) return a;
  return a === null || b < a ? b : a;
}
