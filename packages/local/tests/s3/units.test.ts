import { randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeAwsChunked } from "../../src/s3/aws-chunked.ts";
import { crc32c, crc64nvme } from "../../src/s3/crc.ts";
import { S3Error } from "../../src/s3/errors.ts";
import { requestIdHeaders } from "../../src/s3/http.ts";
import { parseRange } from "../../src/s3/range.ts";
import { decodeSegment, encodeSegment } from "../../src/s3/store/key-path.ts";
import { ObjectIndex } from "../../src/s3/store/object-index.ts";
import type { ObjectMeta } from "../../src/s3/store/object-meta.ts";
import { compareUtf8 } from "../../src/s3/utf8-order.ts";
import { createS3Service } from "../../src/s3/index.ts";
import { parseXml } from "../../src/s3/xml-parse.ts";
import type { EndpointRequest } from "../../src/endpoint/service.ts";

/** Random strings mixing ASCII, the store's special characters, BMP and astral characters. */
function randomKeyish(): string {
  const pool = ["a", "Z", "0", ".", "%", "\\", "\u0000", "\u001f", " ", "é", "\uFFFD", "\uE000", "\u{1F600}", "\u{10000}", "-", "="];
  return Array.from({ length: randomInt(0, 12) }, () => pool[randomInt(pool.length)]!).join("");
}

describe("key segments", () => {
  it("encode to safe, reversible file names", () => {
    for (let i = 0; i < 5000; i++) {
      const segment = randomKeyish();
      const name = encodeSegment(segment);
      expect(name).not.toBe("");
      expect(name).not.toBe(".");
      expect(name).not.toBe("..");
      expect(name.startsWith(".")).toBe(false);
      expect(/[\u0000-\u001f\u007f\\/]/.test(name)).toBe(false);
      expect(decodeSegment(name)).toBe(segment);
    }
  });

  it("hash names too long for a file system and refuse names escaping could not produce", () => {
    const long = "ü".repeat(200);
    expect(encodeSegment(long)).toMatch(/^%h[0-9a-f]{64}$/);
    expect(decodeSegment(encodeSegment(long))).toBeUndefined();
    for (const foreign of [".hidden", "%self", "%zz", "a%2e", "%2e"]) expect(decodeSegment(foreign)).toBeUndefined();
  });
});

describe("UTF-8 order", () => {
  it("agrees with comparing UTF-8 bytes", () => {
    for (let i = 0; i < 20000; i++) {
      const a = randomKeyish();
      const b = randomKeyish();
      const expected = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect([a, b, Math.sign(compareUtf8(a, b))]).toEqual([a, b, expected]);
    }
  });
});

describe("object index", () => {
  const meta = (key: string): ObjectMeta => ({
    key,
    size: 1,
    md5: "0".repeat(32),
    lastModified: 0,
    contentType: "x",
    storageClass: "STANDARD",
    userMetadata: {},
    fileMtimeMs: 0,
  });

  it("keeps keys sorted through inserts and deletes", () => {
    const index = new ObjectIndex();
    const alive = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const key = `k/${randomKeyish()}`;
      if (alive.has(key) && randomInt(2) === 0) {
        index.delete(key);
        alive.delete(key);
      } else {
        index.set({ meta: meta(key), file: key });
        alive.add(key);
      }
    }
    const listed = index.list({ prefix: "", maxKeys: 100_000 }).objects.map((m) => m.key);
    expect(listed).toEqual([...alive].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it("lists page by page exactly what a filter of the sorted keys gives, rolled up at the delimiter", () => {
    const index = new ObjectIndex();
    const keys = new Set<string>();
    for (let i = 0; i < 2000; i++) keys.add(Array.from({ length: randomInt(1, 4) }, randomKeyish).join("/"));
    for (const key of keys) index.set({ meta: meta(key), file: key });
    const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const prefix of ["", "a", "a/", "é", "%", "\u{1F600}"]) {
      for (const delimiter of [undefined, "/", "a"]) {
        // What S3 lists: each key under the prefix, or the common prefix it rolls up into, once.
        const expectedObjects: string[] = [];
        const expectedPrefixes: string[] = [];
        for (const key of sorted.filter((k) => k.startsWith(prefix))) {
          const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
          if (cut < 0) expectedObjects.push(key);
          else if (expectedPrefixes.at(-1) !== key.slice(0, cut + delimiter!.length)) expectedPrefixes.push(key.slice(0, cut + delimiter!.length));
        }
        for (const maxKeys of [1, 7, 1000]) {
          const objects: string[] = [];
          const prefixes: string[] = [];
          let after: string | undefined;
          for (let pages = 0; ; pages++) {
            const page = index.list({ prefix, maxKeys, ...(delimiter ? { delimiter } : {}), ...(after !== undefined ? { after } : {}) });
            expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(maxKeys);
            objects.push(...page.objects.map((m) => m.key));
            prefixes.push(...page.commonPrefixes);
            if (!page.isTruncated) break;
            after = page.last!.value;
            expect(pages).toBeLessThan(keys.size);
          }
          expect({ prefix, delimiter, maxKeys, objects, prefixes }).toEqual({ prefix, delimiter, maxKeys, objects: expectedObjects, prefixes: expectedPrefixes });
        }
      }
    }
    expect(index.hasKeyWithPrefix(sorted[0]!)).toBe(true);
    expect(index.hasKeyWithPrefix("\u{10FFFF}")).toBe(false);
  });

  it("rolls up a common prefix whatever follows it, the highest code point included", () => {
    const index = new ObjectIndex();
    for (const key of ["a/x", "a/\u{10FFFF}", "a/\u{10FFFF}z", "a/\u{10FFFF}/q", "a\u{10FFFF}", "b"]) index.set({ meta: meta(key), file: key });
    const page = (after?: string) => index.list({ prefix: "", delimiter: "/", maxKeys: 1, ...(after !== undefined ? { after } : {}) });
    const first = page();
    expect([first.commonPrefixes, first.objects.map((m) => m.key), first.isTruncated]).toEqual([["a/"], [], true]);
    const second = page(first.last!.value);
    expect([second.commonPrefixes, second.objects.map((m) => m.key), second.isTruncated]).toEqual([[], ["a\u{10FFFF}"], true]);
    const third = page(second.last!.value);
    expect([third.commonPrefixes, third.objects.map((m) => m.key), third.isTruncated]).toEqual([[], ["b"], false]);
    expect(index.list({ prefix: "a/", delimiter: "/", maxKeys: 10 }).commonPrefixes).toEqual(["a/\u{10FFFF}/"]);
    expect(index.hasKeyWithPrefix("\u{10FFFF}")).toBe(false);
  });
});

describe("request ids", () => {
  it("are S3-shaped and never repeat, across the draws of random bytes they come from", () => {
    const ids = Array.from({ length: 1_500 }, requestIdHeaders); // spans at least two draws of 512
    for (const id of ids) {
      expect(id["x-amz-request-id"]).toMatch(/^[0-9A-F]{16}$/);
      expect(Buffer.from(id["x-amz-id-2"]!, "base64")).toHaveLength(48);
    }
    expect(new Set(ids.map((id) => id["x-amz-request-id"])).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id["x-amz-id-2"])).size).toBe(ids.length);
  });
});

describe("range header", () => {
  it("parses what S3 accepts and ignores what it ignores", () => {
    expect(parseRange("bytes=0-0", 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange("bytes=9-", 10)).toEqual({ start: 9, end: 9 });
    expect(parseRange("bytes=-10", 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=3-2", 10)).toBeUndefined();
    expect(parseRange("bytes=-", 10)).toBeUndefined();
    expect(parseRange(undefined, 10)).toBeUndefined();
    for (const unsatisfiable of ["bytes=10-", "bytes=10-20", "bytes=-0"]) {
      expect(() => parseRange(unsatisfiable, 10)).toThrow(S3Error);
    }
    expect(() => parseRange("bytes=0-", 0)).toThrow(/not satisfiable/);
  });
});

describe("request XML", () => {
  it("reads elements, entities, CDATA and namespaces", () => {
    const doc = parseXml(
      '<?xml version="1.0"?><!-- c --><s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>' +
        "<Object><Key>a &amp; b &lt;c&gt; &#x1F600; &#65;</Key></Object><Object><Key><![CDATA[<raw>]]></Key></Object>" +
        "<Object><Key>  spaced  </Key></Object><Empty/></s3:Delete>",
    );
    expect(doc.name).toBe("Delete");
    const keys = doc.children.filter((c) => c.name === "Object").map((o) => o.children[0]!.text);
    expect(keys).toEqual(["a & b <c> \u{1F600} A", "<raw>", "  spaced  "]);
  });

  it("rejects malformed documents as MalformedXML", () => {
    for (const bad of ["", "<a>", "<a></b>", "<a/><b/>", "text", "<a>&bogus;</a>"]) {
      expect(() => parseXml(bad)).toThrow(expect.objectContaining({ code: "MalformedXML" }));
    }
  });
});

describe("aws-chunked", () => {
  it("decodes chunks of any size with trailers", () => {
    const data = randomBytes(10_000);
    const framed = Buffer.concat([
      Buffer.from("1000\r\n"),
      data.subarray(0, 4096),
      Buffer.from("\r\n"),
      Buffer.from(`${(data.length - 4096).toString(16)}\r\n`),
      data.subarray(4096),
      Buffer.from("\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:abc\r\n\r\n"),
    ]);
    const decoded = decodeAwsChunked(framed);
    expect(decoded.data.equals(data)).toBe(true);
    expect(decoded.trailers.get("x-amz-checksum-crc32")).toBe("AAAAAA==");
    expect(() => decodeAwsChunked(Buffer.from("zz\r\nabc"))).toThrow(S3Error);
    expect(() => decodeAwsChunked(Buffer.from("5\r\nabcdefgh\r\n0\r\n"))).toThrow(S3Error);
  });
});

describe("CRC check values", () => {
  it("match the published CRC-32C and CRC-64/NVME values of '123456789'", () => {
    const input = Buffer.from("123456789");
    const c = crc32c();
    c.update(input);
    expect(c.digest().toString("hex")).toBe("e3069283");
    const n = crc64nvme();
    n.update(input.subarray(0, 3));
    n.update(input.subarray(3));
    expect(n.digest().toString("hex")).toBe("ae8b14860a799888");
  });
});

describe("service matching", () => {
  const service = createS3Service({ dataDir: "/nonexistent" });
  const request = (init: Partial<EndpointRequest>): EndpointRequest => ({
    method: "POST",
    path: "/",
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.alloc(0),
    ...init,
  });

  it("is the fallback for everything but JSON- and query-protocol requests", () => {
    expect(service.matches(request({ method: "GET", path: "/lake/key" }))).toBe(true);
    expect(service.matches(request({ path: "/lake", query: new URLSearchParams("delete") }))).toBe(true);
    expect(service.matches(request({ headers: { "x-amz-target": "Kinesis_20131202.PutRecords" } }))).toBe(false);
    expect(service.matches(request({ query: new URLSearchParams("Action=Publish") }))).toBe(false);
    expect(
      service.matches(
        request({
          headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
          body: Buffer.from("Action=SendMessage&Version=2012-11-05"),
        }),
      ),
    ).toBe(false);
  });
});
