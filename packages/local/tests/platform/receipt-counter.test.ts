import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ReceiptCounter } from "../../src/platform/receipt-counter.ts";
import { disposeS3, type S3Harness, startS3WithBucket } from "../s3/harness.ts";

let s3: S3Harness;
beforeEach(async () => {
  s3 = await startS3WithBucket();
});
afterEach(() => disposeS3(s3));

/** A receipt as the transformer writes it, with only the fields the counter reads varying. */
async function putReceipt(key: string, received: number, processed: number, filtered: number, deadLettered: number): Promise<void> {
  const receipt = { receipt_version: 1, batch_id: key, received, redriven: 0, processed, filtered, dead_lettered: deadLettered, windows: [], objects: ["processed/x"] };
  await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: JSON.stringify(receipt) }));
}

describe("the receipt counter", () => {
  it("sums the receipts in the lake and then each new one, counting a rewritten receipt once", async () => {
    await putReceipt("receipts/dt=2026-12-07/hr=10/a.json", 10, 7, 2, 1);
    await putReceipt("processed/dt=2026-12-07/hr=10/not-a-receipt.json", 99, 99, 99, 99);
    const counter = new ReceiptCounter(s3.client, "lake");
    await counter.load();
    expect(counter.totals()).toEqual({ received: 10, processed: 7, filtered: 2, deadLettered: 1, batches: 1 });

    await putReceipt("receipts/dt=2026-12-07/hr=10/b.json", 5, 5, 0, 0);
    await counter.add("receipts/dt=2026-12-07/hr=10/b.json");
    expect(counter.totals()).toEqual({ received: 15, processed: 12, filtered: 2, deadLettered: 1, batches: 2 });

    // A redelivered batch writes its receipt again, here with other counts: it replaces the first.
    await putReceipt("receipts/dt=2026-12-07/hr=10/a.json", 10, 6, 2, 2);
    await counter.add("receipts/dt=2026-12-07/hr=10/a.json");
    await counter.add("processed/dt=2026-12-07/hr=10/not-a-receipt.json");
    expect(counter.totals()).toEqual({ received: 15, processed: 11, filtered: 2, deadLettered: 2, batches: 2 });
  });
});
