import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { disposeS3, errorCode, rawRequest, removeDataDir, type S3Harness, startS3, startS3WithBucket } from "./harness.ts";

let s3: S3Harness;
beforeEach(async () => {
  s3 = await startS3WithBucket();
});
afterEach(() => disposeS3(s3));

async function getBytes(key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}) {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: key, ...extra }));
  return { out, bytes: Buffer.from(await out.Body!.transformToByteArray()) };
}

async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("objects", () => {
  it("round-trips binary content from a buffer and from a stream, with the MD5 as ETag", async () => {
    const binary = randomBytes(300_000);
    const md5 = createHash("md5").update(binary).digest("hex");
    const put = await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "raw/blob.bin", Body: binary }));
    expect(put.ETag).toBe(`"${md5}"`);
    const { out, bytes } = await getBytes("raw/blob.bin");
    expect(bytes.equals(binary)).toBe(true);
    expect(out.ETag).toBe(`"${md5}"`);
    expect(out.ContentLength).toBe(binary.length);
    // Stored as sent (the SDK labels a Buffer application/octet-stream; S3's own default is binary/octet-stream).
    const sentType = s3.requests.findLast((r) => r.method === "PUT")!.headers["content-type"] ?? "binary/octet-stream";
    expect(out.ContentType).toBe(sentType);
    expect(out.LastModified).toBeInstanceOf(Date);

    // A stream body goes out aws-chunked with a trailer; what is stored is the content only.
    const streamed = randomBytes(200_000);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "raw/streamed.bin",
        Body: Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000)]),
        ContentLength: streamed.length,
      }),
    );
    const request = s3.requests.findLast((r) => r.method === "PUT" && r.path.endsWith("streamed.bin"))!;
    expect(request.headers["content-encoding"]).toContain("aws-chunked");
    expect(request.headers["x-amz-content-sha256"]).toBe("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    expect(request.body.length).toBeGreaterThan(streamed.length);
    const again = await getBytes("raw/streamed.bin");
    expect(again.bytes.equals(streamed)).toBe(true);
    expect(again.out.ContentEncoding).toBeUndefined();
  });

  it("takes a 12 MB upload (sent with Expect: 100-continue) and serves it back", async () => {
    const big = randomBytes(12 * 1024 * 1024);
    const put = await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "big.bin", Body: big }));
    expect(s3.requests.at(-1)?.headers.expect).toBe("100-continue");
    expect(put.ETag).toBe(`"${createHash("md5").update(big).digest("hex")}"`);
    const { bytes } = await getBytes("big.bin");
    expect(bytes.equals(big)).toBe(true);
  });

  it("keeps gzip content and its Content-Encoding, user metadata and content headers", async () => {
    const ndjson = Array.from({ length: 200 }, (_, i) => JSON.stringify({ event_id: `e${i}` })).join("\n");
    const gz = gzipSync(ndjson);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "processed/dt=2026-11-26/hr=05/part-0001.ndjson.gz",
        Body: Readable.from([gz]),
        ContentLength: gz.length,
        ContentType: "application/x-ndjson",
        ContentEncoding: "gzip",
        CacheControl: "no-cache",
        ContentDisposition: 'attachment; filename="part.ndjson.gz"',
        ContentLanguage: "en",
        Metadata: { "record-count": "200", schema: "v2" },
      }),
    );
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: "lake", Key: "processed/dt=2026-11-26/hr=05/part-0001.ndjson.gz" }),
    );
    expect(head.ContentEncoding).toBe("gzip");
    expect(head.ContentType).toBe("application/x-ndjson");
    expect(head.CacheControl).toBe("no-cache");
    expect(head.ContentDisposition).toBe('attachment; filename="part.ndjson.gz"');
    expect(head.ContentLanguage).toBe("en");
    expect(head.Metadata).toEqual({ "record-count": "200", schema: "v2" });
    expect(head.ContentLength).toBe(gz.length);
    // Node's fetch-free SDK does not decompress: the bytes are the gzip stream as uploaded.
    const { bytes } = await getBytes("processed/dt=2026-11-26/hr=05/part-0001.ndjson.gz");
    expect(gunzipSync(bytes).toString()).toBe(ndjson);
  });

  it("serves byte ranges with 206 and Content-Range, and 416 InvalidRange past the end", async () => {
    const body = Buffer.from("0123456789abcdefghij");
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "r", Body: body }));
    const cases: [string, string, string][] = [
      ["bytes=0-4", "01234", "bytes 0-4/20"],
      ["bytes=15-", "fghij", "bytes 15-19/20"],
      ["bytes=-3", "hij", "bytes 17-19/20"],
      ["bytes=18-100", "ij", "bytes 18-19/20"],
      ["bytes=-50", body.toString(), "bytes 0-19/20"],
    ];
    for (const [range, expected, contentRange] of cases) {
      const { out, bytes } = await getBytes("r", { Range: range });
      expect(bytes.toString()).toBe(expected);
      expect(out.ContentRange).toBe(contentRange);
      expect(out.ContentLength).toBe(expected.length);
      expect(out.$metadata.httpStatusCode).toBe(206);
      // A part of the object carries no whole-object checksum.
      expect(out.ChecksumCRC32).toBeUndefined();
    }
    // Ranges S3 ignores return the whole object.
    for (const ignored of ["bytes=5-2", "items=0-1", "bytes=0-1,3-4"]) {
      const { out, bytes } = await getBytes("r", { Range: ignored });
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect(bytes.equals(body)).toBe(true);
    }
    const error = await s3Error(getBytes("r", { Range: "bytes=20-" }));
    expect(error.name).toBe("InvalidRange");
    expect(error.$metadata.httpStatusCode).toBe(416);
  });

  it("answers NoSuchKey, NoSuchBucket and NotFound (HEAD) like S3", async () => {
    const missing = await s3Error(getBytes("nope"));
    expect(missing.name).toBe("NoSuchKey");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const headMissing = await s3Error(s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "nope" })));
    expect(headMissing.name).toBe("NotFound");
    expect(headMissing.$metadata.httpStatusCode).toBe(404);
    const noBucket = await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "absent", Key: "k", Body: "x" })));
    expect(noBucket.name).toBe("NoSuchBucket");
    const tooLong = await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "k".repeat(1025), Body: "x" })));
    expect(tooLong.name).toBe("KeyTooLongError");

    const raw = await rawRequest(s3.endpoint.url, { method: "GET", path: "/lake/nope" });
    expect(raw.status).toBe(404);
    expect(raw.headers["content-type"]).toBe("application/xml");
    expect(errorCode(raw.text)).toBe("NoSuchKey");
    expect(raw.text).toContain("<Key>nope</Key>");
    expect(raw.headers["x-amz-request-id"]).toMatch(/^[0-9A-F]{16}$/);
  });

  it("answers 403 AccessDenied, naming no key, to reads of missing keys as a caller without s3:ListBucket", async () => {
    // GetObject reference: without s3:ListBucket on the bucket, a missing key is 403 Access Denied, not 404.
    const denied = await startS3({ service: { missingKeys: (_bucket, key) => (key.startsWith("listed/") ? "not-found" : "access-denied") } });
    try {
      await denied.client.send(new CreateBucketCommand({ Bucket: "lake" }));
      await denied.client.send(new PutObjectCommand({ Bucket: "lake", Key: "state/there.json", Body: "{}" }));
      const missing = await s3Error(denied.client.send(new GetObjectCommand({ Bucket: "lake", Key: "state/absent.json" })));
      expect(missing.name).toBe("AccessDenied");
      expect(missing.$metadata.httpStatusCode).toBe(403);
      const headMissing = await s3Error(denied.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "state/absent.json" })));
      expect(headMissing.$metadata.httpStatusCode).toBe(403);
      // Under a prefix the caller may list, the same read is 404, and existing keys read as ever.
      expect((await s3Error(denied.client.send(new GetObjectCommand({ Bucket: "lake", Key: "listed/absent.json" })))).name).toBe("NoSuchKey");
      const there = await denied.client.send(new GetObjectCommand({ Bucket: "lake", Key: "state/there.json" }));
      expect(await there.Body?.transformToString()).toBe("{}");

      const raw = await rawRequest(denied.endpoint.url, { method: "GET", path: "/lake/state/absent.json" });
      expect(raw.status).toBe(403);
      expect(errorCode(raw.text)).toBe("AccessDenied");
      expect(raw.text).toContain("<Message>Access Denied</Message>");
      expect(raw.text).not.toContain("<Key>");
    } finally {
      await denied.stop();
      await removeDataDir(denied.dataDir);
    }
  });

  it("honours conditional reads (304, 412) and conditional writes (If-None-Match: *)", async () => {
    const put = await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "c", Body: "v1" }));
    const notModified = await s3Error(getBytes("c", { IfNoneMatch: put.ETag }));
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const failed = await s3Error(getBytes("c", { IfMatch: '"0000"' }));
    expect(failed.name).toBe("PreconditionFailed");
    expect(failed.$metadata.httpStatusCode).toBe(412);
    expect((await getBytes("c", { IfMatch: put.ETag })).bytes.toString()).toBe("v1");
    const later = new Date(Date.now() + 60_000);
    expect((await s3Error(getBytes("c", { IfModifiedSince: later }))).$metadata.httpStatusCode).toBe(304);

    const exists = await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "c", Body: "v2", IfNoneMatch: "*" })));
    expect(exists.name).toBe("PreconditionFailed");
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "fresh", Body: "new", IfNoneMatch: "*" }));
    expect((await getBytes("c")).bytes.toString()).toBe("v1");
    expect((await getBytes("fresh")).bytes.toString()).toBe("new");
  });

  it("lets exactly one of many concurrent If-None-Match writers win", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "lock", Body: `writer-${i}`, IfNoneMatch: "*" })),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const winner = results.findIndex((r) => r.status === "fulfilled");
    expect((await getBytes("lock")).bytes.toString()).toBe(`writer-${winner}`);
  });

  it("refuses a conditional write that already fails before writing any file", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "lease", Body: "held" }));
    // Without its folder for writes in flight, the store cannot write a file: a plain write fails…
    const inFlight = join(s3.dataDir, "s3", ".tmp");
    await rm(inFlight, { recursive: true });
    const unwritable = await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "other", Body: "x" })));
    expect(unwritable.$metadata.httpStatusCode).toBe(500);
    // …while a write whose condition fails is answered 412 without trying.
    const taken = await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "lease", Body: "mine", IfNoneMatch: "*" })));
    expect(taken.name).toBe("PreconditionFailed");
    const stale = await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "lease", Body: "mine", IfMatch: '"0000"' })));
    expect(stale.name).toBe("PreconditionFailed");
    await mkdir(inFlight);
    expect((await getBytes("lease")).bytes.toString()).toBe("held");
  });

  it("copies with metadata copied or replaced and refuses a no-op self copy", async () => {
    await s3.client.send(
      new PutObjectCommand({ Bucket: "lake", Key: "src/a b+c.json", Body: "{}", ContentType: "application/json", Metadata: { m: "1" } }),
    );
    const copied = await s3.client.send(
      new CopyObjectCommand({ Bucket: "lake", Key: "dst/copy.json", CopySource: "lake/src/a%20b%2Bc.json" }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(`"${createHash("md5").update("{}").digest("hex")}"`);
    const copyHead = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "dst/copy.json" }));
    expect(copyHead.ContentType).toBe("application/json");
    expect(copyHead.Metadata).toEqual({ m: "1" });

    await s3.client.send(
      new CopyObjectCommand({
        Bucket: "lake",
        Key: "dst/replaced.json",
        CopySource: "/lake/src/a%20b%2Bc.json",
        MetadataDirective: "REPLACE",
        ContentType: "text/plain",
        Metadata: { other: "2" },
      }),
    );
    const replaced = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: "dst/replaced.json" }));
    expect(replaced.ContentType).toBe("text/plain");
    expect(replaced.Metadata).toEqual({ other: "2" });
    expect((await getBytes("dst/replaced.json")).bytes.toString()).toBe("{}");

    const self = await s3Error(s3.client.send(new CopyObjectCommand({ Bucket: "lake", Key: "dst/copy.json", CopySource: "lake/dst/copy.json" })));
    expect(self.name).toBe("InvalidRequest");
    const noSource = await s3Error(s3.client.send(new CopyObjectCommand({ Bucket: "lake", Key: "x", CopySource: "lake/missing" })));
    expect(noSource.name).toBe("NoSuchKey");
    const guarded = await s3Error(
      s3.client.send(new CopyObjectCommand({ Bucket: "lake", Key: "x", CopySource: "lake/dst/copy.json", CopySourceIfMatch: '"bad"' })),
    );
    expect(guarded.name).toBe("PreconditionFailed");
  });

  it("deletes one object (204 even when absent) and many at once, reporting each key", async () => {
    for (const key of ["d/1", "d/2", "d/3", "keep"]) {
      await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: key }));
    }
    const single = await s3.client.send(new DeleteObjectCommand({ Bucket: "lake", Key: "d/1" }));
    expect(single.$metadata.httpStatusCode).toBe(204);
    expect((await s3.client.send(new DeleteObjectCommand({ Bucket: "lake", Key: "d/1" }))).$metadata.httpStatusCode).toBe(204);

    const batch = await s3.client.send(
      new DeleteObjectsCommand({ Bucket: "lake", Delete: { Objects: [{ Key: "d/2" }, { Key: "d/3" }, { Key: "never" }] } }),
    );
    expect(batch.Deleted?.map((d) => d.Key).sort()).toEqual(["d/2", "d/3", "never"]);
    expect(batch.Errors ?? []).toEqual([]);
    const quiet = await s3.client.send(
      new DeleteObjectsCommand({ Bucket: "lake", Delete: { Objects: [{ Key: "keep" }], Quiet: true } }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: "lake" }));
    expect(listed.KeyCount).toBe(0);

    const unsigned = await rawRequest(s3.endpoint.url, {
      method: "POST",
      path: "/lake?delete",
      body: "<Delete><Object><Key>a</Key></Object></Delete>",
    });
    expect(errorCode(unsigned.text)).toBe("InvalidRequest");
    const malformed = await rawRequest(s3.endpoint.url, {
      method: "POST",
      path: "/lake?delete",
      headers: { "content-md5": createHash("md5").update("<Delete><Object>").digest("base64") },
      body: "<Delete><Object>",
    });
    expect(errorCode(malformed.text)).toBe("MalformedXML");
  });

  it("calls onObjectCreated once per created object, after it is readable", async () => {
    const seen: string[] = [];
    await s3.stop();
    s3 = await startS3({
      dataDir: s3.dataDir,
      service: {
        onObjectCreated: (e) => {
          seen.push(`${e.bucket}/${e.key}:${e.size}:${e.etag}:${e.sequencer}`);
        },
      },
    });
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "one", Body: "1" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "one", Body: "22" }));
    await s3.client.send(new CopyObjectCommand({ Bucket: "lake", Key: "two", CopySource: "lake/one" }));
    await s3Error(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "one", Body: "3", IfNoneMatch: "*" })));
    await s3.client.send(new DeleteObjectCommand({ Bucket: "lake", Key: "one" }));
    expect(seen).toHaveLength(3);
    const md5 = (s: string) => createHash("md5").update(s).digest("hex");
    expect(seen[0]).toMatch(new RegExp(`^lake/one:1:${md5("1")}:[0-9A-F]{16}$`));
    expect(seen[1]).toMatch(new RegExp(`^lake/one:2:${md5("22")}:`));
    expect(seen[2]).toMatch(new RegExp(`^lake/two:2:${md5("22")}:`));
    const sequencers = seen.map((s) => s.split(":")[3]!);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(3);
  });

  it("stores the object even when the onObjectCreated listener throws", async () => {
    await s3.stop();
    s3 = await startS3({ dataDir: s3.dataDir, service: { onObjectCreated: () => { throw new Error("listener bug"); } } });
    const put = await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "k", Body: "v" }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect((await getBytes("k")).bytes.toString()).toBe("v");
  });

  it("answers 500 InternalError XML, without following it, when a symbolic link sits where a folder belongs", async () => {
    const outside = await mkdtemp(join(tmpdir(), "freshet-s3-outside-"));
    await symlink(outside, join(s3.dataDir, "s3", "lake", "linked"));
    const response = await rawRequest(s3.endpoint.url, { method: "PUT", path: "/lake/linked/x", body: "escape?" });
    expect(response.status).toBe(500);
    expect(errorCode(response.text)).toBe("InternalError");
    expect(await readdir(outside)).toEqual([]);
    // The endpoint and the bucket keep working.
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "after", Body: "ok" }));
    expect((await getBytes("after")).bytes.toString()).toBe("ok");
    await removeDataDir(outside);
  });
});
