import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { crc32 as zlibCrc32 } from "node:zlib";
import {
  ChecksumAlgorithm,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeS3, errorCode, rawRequest, type S3Harness, startS3WithBucket } from "./harness.ts";

let s3: S3Harness;
beforeAll(async () => {
  s3 = await startS3WithBucket();
});
afterAll(() => disposeS3(s3));

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlibCrc32(data));
  return out.toString("base64");
}

/** An aws-chunked body as SDK v3 frames it, optionally with SigV4 chunk signatures. */
function awsChunked(data: Buffer, options: { chunk?: number; trailer?: string; signed?: boolean } = {}): Buffer {
  const size = options.chunk ?? 8192;
  const sig = options.signed ? `;chunk-signature=${"0".repeat(64)}` : "";
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) {
    const piece = data.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}${sig}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`0${sig}\r\n`));
  if (options.trailer) parts.push(Buffer.from(`${options.trailer}\r\n\r\n`));
  else if (options.signed) parts.push(Buffer.from("\r\n"));
  return Buffer.concat(parts);
}

async function fetchObject(key: string): Promise<Buffer | undefined> {
  const response = await rawRequest(s3.endpoint.url, { method: "GET", path: `/lake/${key}` });
  return response.status === 200 ? response.body : undefined;
}

describe("flexible checksums", () => {
  const algorithms = [
    ChecksumAlgorithm.CRC32,
    ChecksumAlgorithm.CRC32C,
    ChecksumAlgorithm.CRC64NVME,
    ChecksumAlgorithm.SHA1,
    ChecksumAlgorithm.SHA256,
  ];

  it.each(algorithms)("stores a %s sent as header or trailer and returns it for the SDK to validate", async (algorithm) => {
    const data = randomBytes(50_000);
    const field = `Checksum${algorithm}` as const;
    for (const [key, body] of [
      [`h/${algorithm}`, data],
      [`t/${algorithm}`, Readable.from([data.subarray(0, 20_000), data.subarray(20_000)])],
    ] as const) {
      const put = await s3.client.send(
        new PutObjectCommand({ Bucket: "lake", Key: key, Body: body, ContentLength: data.length, ChecksumAlgorithm: algorithm }),
      );
      const sent = s3.requests.at(-1)!;
      const viaTrailer = key.startsWith("t/");
      expect(sent.headers["x-amz-trailer"] !== undefined).toBe(viaTrailer);
      expect(put[field]).toBeDefined();
      // GetObject asks for the checksum by default and the SDK checks the bytes against it.
      const got = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: key }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
      expect(got[field]).toBe(put[field]);
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: "lake", Key: key, ChecksumMode: "ENABLED" }));
      expect(head[field]).toBe(put[field]);
      expect(head.ChecksumType).toBe("FULL_OBJECT");
    }
  });

  it("computes the default CRC64NVME when the upload carries no checksum", async () => {
    const put = await rawRequest(s3.endpoint.url, { method: "PUT", path: "/lake/plain", body: "no checksum here" });
    expect(put.status).toBe(200);
    expect(put.headers["x-amz-checksum-crc64nvme"]).toBeDefined();
    const got = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: "plain" }));
    // The SDK validated the CRC64NVME while reading; a wrong value would have thrown.
    expect(await got.Body!.transformToString()).toBe("no checksum here");
    expect(got.ChecksumCRC64NVME).toBe(put.headers["x-amz-checksum-crc64nvme"]);
    expect(got.ContentType).toBe("binary/octet-stream");
  });

  it("makes the SDK's response validation catch bytes changed behind the store's back", async () => {
    const data = Buffer.from("original content of fixed length");
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "tamper/me", Body: data }));
    const file = join(s3.dataDir, "s3", "lake", "tamper", "me");
    expect((await readFile(file)).equals(data)).toBe(true);
    await writeFile(file, Buffer.from("ORIGINAL CONTENT OF FIXED LENGTH"));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: "tamper/me" }));
    await expect(got.Body!.transformToString()).rejects.toThrow(/Checksum mismatch/);
  });

  it("decodes an unsigned aws-chunked upload and verifies its trailer", async () => {
    const data = randomBytes(20_000);
    const headers = {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
      "x-amz-sdk-checksum-algorithm": "CRC32",
    };
    const good = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/chunked/good",
      headers,
      body: awsChunked(data, { trailer: `x-amz-checksum-crc32:${crc32Base64(data)}` }),
    });
    expect(good.status).toBe(200);
    expect(good.headers["x-amz-checksum-crc32"]).toBe(crc32Base64(data));
    expect((await fetchObject("chunked/good"))?.equals(data)).toBe(true);

    const wrong = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/chunked/bad",
      headers,
      body: awsChunked(data, { trailer: `x-amz-checksum-crc32:${crc32Base64(Buffer.from("other"))}` }),
    });
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong.text)).toBe("BadDigest");
    expect(await fetchObject("chunked/bad")).toBeUndefined();

    const missingTrailer = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/chunked/bad",
      headers,
      body: awsChunked(data),
    });
    expect(errorCode(missingTrailer.text)).toBe("InvalidRequest");

    const truncated = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/chunked/bad",
      headers,
      body: awsChunked(data).subarray(0, 10_000),
    });
    expect(errorCode(truncated.text)).toBe("IncompleteBody");

    const shortDeclared = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/chunked/bad",
      headers: { ...headers, "x-amz-decoded-content-length": String(data.length + 1) },
      body: awsChunked(data, { trailer: `x-amz-checksum-crc32:${crc32Base64(data)}` }),
    });
    expect(errorCode(shortDeclared.text)).toBe("IncompleteBody");
    expect(await fetchObject("chunked/bad")).toBeUndefined();
  });

  it("decodes SigV4-signed chunks, ignoring the signatures", async () => {
    const data = randomBytes(70_000);
    const response = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/chunked/signed",
      headers: {
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": String(data.length),
      },
      body: awsChunked(data, { chunk: 65_536, signed: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe(`"${createHash("md5").update(data).digest("hex")}"`);
    expect((await fetchObject("chunked/signed"))?.equals(data)).toBe(true);
  });

  it("rejects mismatching checksum headers, Content-MD5 and x-amz-content-sha256", async () => {
    const body = "payload";
    const cases: [Record<string, string>, string][] = [
      [{ "x-amz-checksum-crc32": crc32Base64(Buffer.from("other")) }, "BadDigest"],
      [{ "x-amz-checksum-crc32": "not-base64!" }, "InvalidRequest"],
      [{ "content-md5": createHash("md5").update("other").digest("base64") }, "BadDigest"],
      [{ "content-md5": "short" }, "InvalidDigest"],
      [{ "x-amz-content-sha256": createHash("sha256").update("other").digest("hex") }, "XAmzContentSHA256Mismatch"],
      [{ "x-amz-sdk-checksum-algorithm": "CRC32" }, "InvalidRequest"],
      [{ "x-amz-checksum-crc32": crc32Base64(Buffer.from(body)), "x-amz-checksum-sha1": "AAAA" }, "InvalidRequest"],
    ];
    for (const [headers, code] of cases) {
      const response = await rawRequest(s3.endpoint.url, { method: "PUT", path: "/lake/guarded", headers, body });
      expect([response.status, errorCode(response.text)]).toEqual([400, code]);
    }
    expect(await fetchObject("guarded")).toBeUndefined();
    const ok = await rawRequest(s3.endpoint.url, {
      method: "PUT",
      path: "/lake/guarded",
      headers: {
        "content-md5": createHash("md5").update(body).digest("base64"),
        "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
        "x-amz-checksum-crc32": crc32Base64(Buffer.from(body)),
      },
      body,
    });
    expect(ok.status).toBe(200);
  });
});
