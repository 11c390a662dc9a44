import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { describeBody, storeWithLakeEachTest } from "./store-fixture.ts";

/*
 * `fileOf` is how the local COPY finds an object's bytes in place. It must not queue behind the
 * bucket's writes: amid 2,000 events/s a COPY of 50 objects waited up to a second for the lock
 * each write holds while it renames its files into place.
 */

const fixture = storeWithLakeEachTest("freshet-object-file-");
const description = (body: string) => describeBody(body, "application/x-ndjson");

it("names an object's file while the bucket's lock is held by a write", async () => {
  const bucket = await fixture.store.bucket("lake");
  await bucket.put("processed/a.ndjson", Buffer.from("A\n"), description("A\n"));

  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let lockHeld = false;
  // retireIf runs its section under the bucket's lock: a stand-in for a write between its renames.
  const holding = bucket.retireIf(async () => {
    lockHeld = true;
    await held;
    return false;
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(lockHeld).toBe(true);

  const file = await bucket.fileOf("processed/a.ndjson");
  expect(file).toBeDefined();
  expect(await readFile(file!, "utf8")).toBe("A\n");
  expect(await bucket.fileOf("processed/none.ndjson")).toBeUndefined();

  release();
  await holding;
});
