import { batchIdOf, buildLoadStatements, processedKey, ReceiptTally, partitionOfIso, type BatchRef, type LoadObject, type LoadReceipt, type ProcessedEvent } from "@freshet/core";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { RedshiftHarness } from "../redshift/harness.ts";

export const LAKE_BUCKET = "freshet-local-lake";
export const COPY_ROLE = "arn:aws:iam::123456789012:role/freshet-local-WarehouseCopyRole";

const FIXTURES = new URL("../../../core/tests/warehouse/fixtures/", import.meta.url);

/** The 30 hand-picked events of the dashboard fixture (core's), as the transformer writes them. */
export const DASHBOARD_EVENTS: readonly ProcessedEvent[] = JSON.parse(readFileSync(fileURLToPath(new URL("dashboard-events.json", FIXTURES)), "utf8"));

export interface ExpectedView {
  readonly key: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

/** The hand-computed rows of every view for `DASHBOARD_EVENTS`. */
export const DASHBOARD_EXPECTED: Readonly<Record<string, ExpectedView>> = JSON.parse(readFileSync(fileURLToPath(new URL("dashboard-expected.json", FIXTURES)), "utf8"));

/** A transformer batch as it lands in the lake: processed objects per event hour, and its receipt. */
export interface LakeBatch {
  readonly ref: BatchRef;
  readonly events: readonly ProcessedEvent[];
  /** Records of the batch that were filtered or dead-lettered, by arrival window (not stored as events). */
  readonly rejected?: readonly { readonly window: string; readonly fate: "filtered" | "dead_lettered" }[];
}

export interface WrittenBatch {
  readonly objects: LoadObject[];
  readonly receipt: LoadReceipt;
}

/**
 * Writes a batch the way the transformer does: gzip NDJSON under `processed/dt=…/hr=…/<batchId>`
 * by event hour, and returns the manifest objects and the receipt (counted by arrival hour).
 */
export async function writeBatch(h: RedshiftHarness, batch: LakeBatch): Promise<WrittenBatch> {
  const byPartition = new Map<string, ProcessedEvent[]>();
  const tally = new ReceiptTally();
  for (const event of batch.events) {
    const key = processedKey(batch.ref, partitionOfIso(event.occurred_at));
    byPartition.set(key, [...(byPartition.get(key) ?? []), event]);
    tally.count(event.received_at.slice(0, 13), "processed");
  }
  for (const r of batch.rejected ?? []) tally.count(r.window, r.fate, r.fate === "filtered" ? "heartbeat" : "schema_violation");
  const objects: LoadObject[] = [];
  for (const [key, events] of byPartition) {
    const body = gzipSync(events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    await h.putObject(LAKE_BUCKET, key, body);
    objects.push({ key, sizeBytes: body.length, rows: events.length });
  }
  const receipt: LoadReceipt = { batch_id: batchIdOf(batch.ref), windows: tally.windows };
  return { objects, receipt };
}

/** Writes a Redshift manifest listing `objects` (all mandatory) and returns its s3:// URL. */
export async function writeManifest(h: RedshiftHarness, name: string, objects: readonly LoadObject[]): Promise<string> {
  const key = `manifests/${name}.json`;
  const manifest = { entries: objects.map((o) => ({ url: `s3://${LAKE_BUCKET}/${o.key}`, mandatory: true, meta: { content_length: o.sizeBytes } })) };
  await h.putObject(LAKE_BUCKET, key, JSON.stringify(manifest));
  return `s3://${LAKE_BUCKET}/${key}`;
}

/** The statements of one load of `batches` (one manifest), as the Load workflow sends them. */
export async function planLoad(h: RedshiftHarness, loadId: string, batches: readonly WrittenBatch[], startedAt: string): Promise<string[]> {
  const objects = batches.flatMap((b) => b.objects);
  const manifestUrl = await writeManifest(h, loadId, objects);
  return buildLoadStatements({ loadId, manifestUrl, iamRoleArn: COPY_ROLE, objects, receipts: batches.map((b) => b.receipt), startedAt, intervalSeconds: 300 });
}

/** A batch reference on shard 0 whose sequence numbers are `first`..`last`. */
export function batchRef(first: number, last: number, firstArrival: string): BatchRef {
  return { shardId: "shardId-000000000000", firstSequenceNumber: String(first), lastSequenceNumber: String(last), firstArrival: new Date(firstArrival) };
}
