import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { ObjectDescription } from "../../src/s3/store/bucket-store.ts";
import { S3Store } from "../../src/s3/store/s3-store.ts";

export interface StoreFixture {
  /** The test's folder; the store lives in `<dir>/s3`. */
  readonly dir: string;
  readonly store: S3Store;
}

/**
 * For each test of the file: an S3 store (no endpoint) in a fresh folder holding a bucket `lake`,
 * removed afterwards. Read `dir` and `store` inside the tests: they change with each one.
 */
export function storeWithLakeEachTest(prefix: string): StoreFixture {
  const current = { dir: "", store: undefined as unknown as S3Store };
  beforeEach(async () => {
    current.dir = await mkdtemp(join(tmpdir(), prefix));
    current.store = new S3Store(join(current.dir, "s3"), "us-east-1");
    await current.store.createBucket("lake", "us-east-1");
  });
  afterEach(async () => {
    await rm(current.dir, { recursive: true, force: true });
  });
  return current;
}

/** What a writer says about `body`, as the service's PutObject would. */
export function describeBody(body: string, contentType = "application/json"): ObjectDescription {
  return {
    size: Buffer.byteLength(body),
    md5: createHash("md5").update(body).digest("hex"),
    contentType,
    storageClass: "STANDARD",
    userMetadata: {},
  };
}
