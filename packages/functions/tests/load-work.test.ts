import type { LoadReceipt } from "@freshet/core";
import { describe, expect, it } from "vitest";
import { listedWork } from "../src/load/listing-work.ts";
import { batchesWork, type ReceiptBatch } from "../src/load/receipt-work.ts";
import type { ProcessedObject, Work } from "../src/load/types.ts";

/** How the planner's work shrinks when a load's statements are too long (no AWS: the Work values alone). */

const object = (batch: string, hour: string): ProcessedObject => ({
  key: `processed/dt=2026-11-26/hr=${hour}/${batch}.ndjson.gz`,
  size: 10,
  etag: null,
  lastModified: null,
});
const receipt = (batch: string): LoadReceipt => ({ batch_id: batch, windows: [{ window: "2026-11-26T05", received: 1, processed: 1, filtered: 0, dead_lettered: 0 }] });

/** Every work from `work` on, each the previous one's `smaller()`. */
function shrinking(work: Work): Work[] {
  const all = [work];
  for (let next = work.smaller(); next !== undefined; next = next.smaller()) all.push(next);
  return all;
}

describe("work of whole batches (receipt-work.ts)", () => {
  const batches: ReceiptBatch[] = ["b1", "b2", "b3", "b4", "b5"].map((id, i) => ({ receipt: receipt(id), objects: [object(id, "06"), object(id, `0${5 - (i % 2)}`)] }));

  it("takes every object of its batches, by key, with one receipt per batch", () => {
    const work = batchesWork(batches);
    expect(work.objects.map((o) => o.key)).toEqual(batches.flatMap((b) => b.objects.map((o) => o.key)).sort());
    expect(work.receipts.map((r) => r.batch_id)).toEqual(["b1", "b2", "b3", "b4", "b5"]);
    expect(work.late).toEqual([]);
  });

  it("shrinks to the first half of its batches (rounded up), down to one batch, without changing itself", () => {
    const work = batchesWork(batches);
    expect(shrinking(work).map((w) => w.receipts.map((r) => r.batch_id))).toEqual([["b1", "b2", "b3", "b4", "b5"], ["b1", "b2", "b3"], ["b1", "b2"], ["b1"]]);
    expect(shrinking(work).at(-1)!.objects).toHaveLength(2);
    expect(work.receipts).toHaveLength(5);
  });
});

describe("work of listed objects (listing-work.ts)", () => {
  const objects = ["a", "b", "c", "d", "e"].map((id) => object(id, "05"));
  const receipts = new Map(["a", "b", "c", "d"].map((id) => [id, receipt(id)]));

  it("carries the receipts of its objects' batches, then the receipts without objects", () => {
    const work = listedWork(objects.slice(0, 4), [receipt("q1")], receipts, ["processed/x.ndjson.gz"]);
    expect(work.receipts.map((r) => r.batch_id)).toEqual(["a", "b", "c", "d", "q1"]);
    expect(work.late).toEqual([]);
  });

  it("loads objects without a receipt alone: no receipts, every object late, the others left for the next run", () => {
    const late = [objects[1]!.key, objects[4]!.key];
    const work = listedWork(objects, [receipt("q1")], receipts, [...late, "processed/x.ndjson.gz"]);
    expect(work.objects.map((o) => o.key)).toEqual(late);
    expect(work.receipts).toEqual([]);
    expect(work.late).toEqual(late);
    expect(shrinking(work).map((w) => w.late)).toEqual([late, [late[0]]]);
    expect(shrinking(work).every((w) => w.receipts.length === 0)).toBe(true);
  });

  it("halves the receipts without objects while there are several, then the objects (rounded up)", () => {
    const extra = ["q1", "q2", "q3", "q4"].map(receipt);
    const steps = shrinking(listedWork(objects, extra, receipts, []));
    expect(steps.map((w) => [w.objects.length, w.receipts.filter((r) => r.batch_id.startsWith("q")).length])).toEqual([
      [5, 4],
      [5, 2],
      [5, 1],
      [3, 1],
      [2, 1],
      [1, 1],
      [1, 0],
    ]);
    expect(steps.at(-1)!.objects.map((o) => o.key)).toEqual([objects[0]!.key]);
    expect(steps.at(-1)!.late).toEqual([]);
  });

  it("cannot shrink one object or one receipt", () => {
    expect(listedWork(objects.slice(0, 1), [], receipts, []).smaller()).toBeUndefined();
    expect(listedWork([], [receipt("q1")], receipts, []).smaller()).toBeUndefined();
    expect(listedWork([], ["q1", "q2", "q3"].map(receipt), receipts, []).smaller()!.receipts.map((r) => r.batch_id)).toEqual(["q1"]);
  });
});
