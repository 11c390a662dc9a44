import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { S3StorageError } from "../../src/s3/errors.ts";
import { describeBody, storeWithLakeEachTest } from "./store-fixture.ts";

/*
 * The store keeps an index and a set of folders it knows exist; an operator may tidy the folder
 * up behind its back. A write, a read or a failed write must still leave the store consistent.
 */

const fixture = storeWithLakeEachTest("freshet-store-recovery-");
const description = (body: string) => describeBody(body);

async function read(key: string): Promise<string> {
  const { handle } = await (await fixture.store.bucket("lake")).open(key);
  try {
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

describe("the S3 store, tidied behind its back", () => {
  it("a folder removed behind the store's back: the next write relearns its folders and lands", async () => {
    const bucket = await fixture.store.bucket("lake");
    await bucket.put("dlq/triage/ledger/a.json", Buffer.from("{}"), description("{}"));
    // An operator tidying up: the store still believes `dlq/triage/ledger/` exists. Its rename
    // then fails with ENOENT, which tells it to relearn its folders and try again.
    await rm(join(bucket.dir, "dlq"), { recursive: true, force: true });

    await bucket.put("dlq/triage/ledger/b.json", Buffer.from('{"b":1}'), description('{"b":1}'));

    expect(await read("dlq/triage/ledger/b.json")).toBe('{"b":1}');
    expect(existsSync(join(bucket.dir, "dlq", "triage", "ledger", ".meta", "b.json"))).toBe(true);
  });

  it("a delete removes the folders it empties, and a write there afterwards recreates them", async () => {
    const bucket = await fixture.store.bucket("lake");
    await bucket.put("dlq/triage/claims/dt=2026-12-07/x.json", Buffer.from("1"), description("1"));
    await bucket.put("dlq/triage/keep.json", Buffer.from("2"), description("2"));

    expect(await bucket.delete("dlq/triage/claims/dt=2026-12-07/x.json")).toBe(true);
    expect(existsSync(join(bucket.dir, "dlq", "triage", "claims"))).toBe(false);
    expect(existsSync(join(bucket.dir, "dlq", "triage", "keep.json"))).toBe(true);
    expect(await bucket.delete("dlq/triage/claims/dt=2026-12-07/x.json")).toBe(false);

    await bucket.put("dlq/triage/claims/dt=2026-12-07/y.json", Buffer.from("3"), description("3"));
    expect(await read("dlq/triage/claims/dt=2026-12-07/y.json")).toBe("3");
  });

  it("an object whose file was removed behind the store's back is gone", async () => {
    const bucket = await fixture.store.bucket("lake");
    await bucket.put("receipts/dt=2026-12-07/hr=10/b-1.json", Buffer.from("{}"), description("{}"));
    expect(await read("receipts/dt=2026-12-07/hr=10/b-1.json")).toBe("{}");

    await rm(join(bucket.dir, "receipts", "dt=2026-12-07", "hr=10", "b-1.json"));
    await expect(bucket.open("receipts/dt=2026-12-07/hr=10/b-1.json")).rejects.toMatchObject({ code: "NoSuchKey" });
    expect(bucket.head("receipts/dt=2026-12-07/hr=10/b-1.json")).toBeUndefined();
  });

  it("a write whose bytes do not match its size fails the put and leaves nothing behind", async () => {
    const bucket = await fixture.store.bucket("lake");
    await expect(bucket.put("receipts/r.json", Buffer.from("abc"), { ...description("abc"), size: 4 })).rejects.toThrow(S3StorageError);
    expect(bucket.head("receipts/r.json")).toBeUndefined();
    expect(existsSync(join(bucket.dir, "receipts"))).toBe(false);
    expect(await readdir(join(fixture.dir, "s3", ".tmp"))).toEqual([]);
  });
});
