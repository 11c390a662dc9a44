import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { ObjectDescription } from "../../src/s3/store/bucket-store.ts";
import { S3Store } from "../../src/s3/store/s3-store.ts";

/*
 * `fileOf` is how the local COPY finds an object's bytes in place. It must not queue behind the
 * bucket's writes: amid 2,000 events/s a COPY of 50 objects waited up to a second for the lock
 * each write holds while it renames its files into place.
 */

let dir: string;
let store: S3Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "freshet-object-file-"));
  store = new S3Store(join(dir, "s3"), "us-east-1");
  await store.createBucket("lake", "us-east-1");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const description = (body: string): ObjectDescription => ({
  size: Buffer.byteLength(body),
  md5: createHash("md5").update(body).digest("hex"),
  contentType: "application/x-ndjson",
  storageClass: "STANDARD",
  userMetadata: {},
});

it("names an object's file while the bucket's lock is held by a write", async () => {
  const bucket = await store.bucket("lake");
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
