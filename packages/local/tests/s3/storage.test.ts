import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compareUtf8 } from "../../src/s3/utf8-order.ts";
import { rawRequest, removeDataDir, startS3, type S3Harness } from "./harness.ts";

let sandbox: string;
let s3: S3Harness;
beforeEach(async () => {
  // The data folder sits alone in a sandbox, so anything written outside it is visible.
  sandbox = await mkdtemp(join(tmpdir(), "freshet-s3-sandbox-"));
  s3 = await startS3({ dataDir: join(sandbox, "data") });
  await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
});
afterEach(async () => {
  await s3.stop();
  await removeDataDir(sandbox);
});

const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

async function text(key: string): Promise<string> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: key }));
  return out.Body!.transformToString();
}

async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: "lake", ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe("on-disk store", () => {
  it("lays objects out as browsable folders, metadata hidden beside them", async () => {
    const key = "processed/dt=2026-11-26/hr=05/part-0001.ndjson.gz";
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: "gz bytes" }));
    const folder = join(sandbox, "data", "s3", "lake", "processed", "dt=2026-11-26", "hr=05");
    expect(await readFile(join(folder, "part-0001.ndjson.gz"), "utf8")).toBe("gz bytes");
    const visible = (await readdir(folder)).filter((n) => !n.startsWith("."));
    expect(visible).toEqual(["part-0001.ndjson.gz"]);
    const meta = JSON.parse(await readFile(join(folder, ".meta", "part-0001.ndjson.gz"), "utf8")) as { key: string; md5: string };
    expect(meta.key).toBe(key);
    expect(meta.md5).toBe(md5("gz bytes"));
  });

  it("keeps traversal-shaped and odd keys inside the bucket folder, each one distinct", async () => {
    const keys = [
      "../../escape",
      "a/../../b",
      "/abs",
      "..",
      ".",
      "./dot",
      "a/./b",
      "a//b",
      "trailing/",
      ".meta",
      ".bucket.json",
      "%2e%2e/literal-percent",
      "back\\slash",
      "nul\u0000byte",
      "ctl\u0001\u001f",
      "%self",
      "%",
      "%h1234",
      "x".repeat(1024),
      `${"y".repeat(300)}/inner`,
      `${"a/".repeat(511)}z`,
      "emoji/\u{1F600}",
    ];
    for (const key of keys) {
      await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: `content of ${JSON.stringify(key)}` }));
    }
    // The same shapes sent raw, without any client-side encoding or normalisation.
    for (const path of ["/lake/../../raw-escape", "/lake/a/../../../raw-b", "/lake/%2E%2E/%2E%2E/raw-c"]) {
      const response = await rawRequest(s3.endpoint.url, { method: "PUT", path, body: path });
      expect(response.status).toBe(200);
    }
    const rawKeys = ["../../raw-escape", "a/../../../raw-b", "../../raw-c"];

    expect(await readdir(sandbox)).toEqual(["data"]);
    expect((await readdir(join(sandbox, "data"))).sort()).toEqual(["s3"]);
    expect((await readdir(join(sandbox, "data", "s3"))).sort()).toEqual([".tmp", "lake"]);
    const stored = await filesUnder(join(sandbox, "data", "s3", "lake"));
    expect(stored.every((p) => !p.split(sep).includes(".."))).toBe(true);

    for (const key of keys) expect(await text(key)).toBe(`content of ${JSON.stringify(key)}`);
    const listed = await allKeys();
    expect(listed).toEqual([...keys, ...rawKeys].sort(compareUtf8));

    const restarted = await s3.restart();
    s3 = restarted;
    expect(await allKeys()).toEqual(listed);
    for (const key of keys) expect(await text(key)).toBe(`content of ${JSON.stringify(key)}`);
  });

  it("stores a key and a folder of the same name, in either order, and cleans up on delete", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "a", Body: "A" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "a/b", Body: "AB" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "x/y/z", Body: "XYZ" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "x/y", Body: "XY" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "x", Body: "X" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "a/b/c", Body: "ABC" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "a", Body: "A2" }));
    const expected = { a: "A2", "a/b": "AB", "a/b/c": "ABC", x: "X", "x/y": "XY", "x/y/z": "XYZ" };
    for (const [key, body] of Object.entries(expected)) expect(await text(key)).toBe(body);
    expect(await allKeys()).toEqual(Object.keys(expected));

    s3 = await s3.restart();
    for (const [key, body] of Object.entries(expected)) expect(await text(key)).toBe(body);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "a/b" }));
    expect(head.ETag).toBe(`"${md5("AB")}"`);

    for (const key of ["a/b", "x", "a/b/c", "x/y/z", "a", "x/y"]) {
      await s3.client.send(new DeleteObjectCommand({ Bucket: "lake", Key: key }));
    }
    expect(await allKeys()).toEqual([]);
    // Folders emptied by deletes are gone; only the bucket's own file remains.
    expect(await filesUnder(join(sandbox, "data", "s3", "lake"))).toEqual([".bucket.json"]);
  });

  it("keeps objects, metadata and checksums across a restart", async () => {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "keep/me.json",
        Body: '{"a":1}',
        ContentType: "application/json",
        ContentEncoding: "identity",
        Metadata: { origin: "test" },
        ChecksumAlgorithm: "SHA256",
      }),
    );
    const before = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "keep/me.json", ChecksumMode: "ENABLED" }));
    s3 = await s3.restart();
    const after = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "keep/me.json", ChecksumMode: "ENABLED" }));
    for (const field of ["ETag", "ContentType", "ContentEncoding", "Metadata", "ChecksumSHA256", "ContentLength", "LastModified"] as const) {
      expect(after[field]).toEqual(before[field]);
    }
    expect(await text("keep/me.json")).toBe('{"a":1}');
  });

  it("never shows a partial or mismatched object while it is being overwritten", async () => {
    const versions = ["a", "b", "c", "d"].map((c) => c.repeat(1_000_000));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "hot", Body: versions[0] }));
    let stop = false;
    const readers = Array.from({ length: 4 }, async () => {
      let reads = 0;
      while (!stop) {
        const out = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: "hot" }));
        const body = await out.Body!.transformToString();
        expect(versions).toContain(body);
        expect(out.ETag).toBe(`"${md5(body)}"`);
        reads++;
      }
      return reads;
    });
    for (let i = 0; i < 12; i++) {
      await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "hot", Body: versions[i % versions.length] }));
    }
    stop = true;
    const reads = await Promise.all(readers);
    expect(reads.every((n) => n > 0)).toBe(true);
    // Nothing but the object and its metadata: temporary files live outside the bucket.
    expect((await filesUnder(join(sandbox, "data", "s3", "lake"))).sort()).toEqual([".bucket.json", ".meta/hot", "hot"]);
    expect(await readdir(join(sandbox, "data", "s3", ".tmp"))).toEqual([]);
  });

  it("re-reads bytes that changed while stopped and adopts files dropped into the folder", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "raw/changed.json", Body: "old", ContentType: "application/json" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "raw/same.json", Body: "same", ContentType: "application/json" }));
    await s3.stop();
    const bucketDir = join(sandbox, "data", "s3", "lake");
    await writeFile(join(bucketDir, "raw", "changed.json"), "new and longer");
    await mkdir(join(bucketDir, "imports"), { recursive: true });
    await writeFile(join(bucketDir, "imports", "dropped.csv"), "id,value\n1,2\n");
    // A metadata file claiming a key that maps elsewhere is not trusted.
    await mkdir(join(bucketDir, "imports", ".meta"), { recursive: true });
    await writeFile(join(bucketDir, "imports", ".meta", "dropped.csv"), JSON.stringify({ v: 1, key: "../../etc/passwd" }));

    s3 = await startS3({ dataDir: join(sandbox, "data") });
    expect(await allKeys()).toEqual(["imports/dropped.csv", "raw/changed.json", "raw/same.json"]);
    const changed = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "raw/changed.json" }));
    expect(changed.ETag).toBe(`"${md5("new and longer")}"`);
    expect(changed.ContentLength).toBe("new and longer".length);
    expect(await text("raw/changed.json")).toBe("new and longer");
    const same = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "raw/same.json" }));
    expect(same.ContentType).toBe("application/json");
    expect(await text("imports/dropped.csv")).toBe("id,value\n1,2\n");
  });
});
