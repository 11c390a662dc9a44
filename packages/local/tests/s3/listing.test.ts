import {
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type ListObjectsV2CommandInput,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareUtf8 } from "../../src/s3/utf8-order.ts";
import { disposeS3, errorCode, rawRequest, type S3Harness, startS3WithBucket } from "./harness.ts";

let s3: S3Harness;
const KEYS = [
  "processed/dt=2026-11-25/hr=23/a.ndjson.gz",
  "processed/dt=2026-11-26/hr=05/b.ndjson.gz",
  "processed/dt=2026-11-26/hr=05/c.ndjson.gz",
  "processed/dt=2026-11-26/hr=06/d.ndjson.gz",
  "raw/dt=2026-11-26/hr=05/e.json",
  "dlq/dt=2026-11-26/reason=schema/f.json",
  "manifest.json",
  "z-last",
  // UTF-8 order puts U+10000 (4 bytes, F0…) after U+FFFD (EF BF BD); UTF-16 order would not.
  "u/\u{10000}",
  "u/\uFFFD",
  "u/\u00e9",
  "u/e",
];

beforeAll(async () => {
  s3 = await startS3WithBucket();
  for (const key of KEYS) await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: key }));
});
afterAll(() => disposeS3(s3));

function list(input: Omit<ListObjectsV2CommandInput, "Bucket">) {
  return s3.client.send(new ListObjectsV2Command({ Bucket: "lake", ...input }));
}

const utf8Sorted = (keys: string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe("ListObjectsV2", () => {
  it("lists every key in UTF-8 byte order with size, ETag and storage class", async () => {
    const out = await list({});
    expect(out.Contents?.map((c) => c.Key)).toEqual(utf8Sorted(KEYS));
    expect(out.KeyCount).toBe(KEYS.length);
    expect(out.IsTruncated).toBe(false);
    const first = out.Contents![0]!;
    expect(first.Size).toBe(Buffer.byteLength(first.Key!));
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.StorageClass).toBe("STANDARD");
    expect(first.LastModified).toBeInstanceOf(Date);
  });

  it("rolls keys up into CommonPrefixes at the delimiter", async () => {
    const top = await list({ Delimiter: "/" });
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dlq/", "processed/", "raw/", "u/"]);
    expect(top.Contents?.map((c) => c.Key)).toEqual(["manifest.json", "z-last"]);
    expect(top.KeyCount).toBe(6);

    const hours = await list({ Prefix: "processed/dt=2026-11-26/", Delimiter: "/" });
    expect(hours.CommonPrefixes?.map((p) => p.Prefix)).toEqual([
      "processed/dt=2026-11-26/hr=05/",
      "processed/dt=2026-11-26/hr=06/",
    ]);
    expect(hours.Contents).toBeUndefined();
    expect(hours.Prefix).toBe("processed/dt=2026-11-26/");

    const files = await list({ Prefix: "processed/dt=2026-11-26/hr=05/", Delimiter: "/" });
    expect(files.Contents?.map((c) => c.Key)).toEqual([
      "processed/dt=2026-11-26/hr=05/b.ndjson.gz",
      "processed/dt=2026-11-26/hr=05/c.ndjson.gz",
    ]);
    expect(files.CommonPrefixes).toBeUndefined();
  });

  it("pages with max-keys and continuation tokens, counting common prefixes as one", async () => {
    for (const delimiter of [undefined, "/"]) {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await list({ MaxKeys: 2, ContinuationToken: token, Delimiter: delimiter });
        pages++;
        const items = [...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!)];
        expect(items.length).toBe(page.KeyCount);
        expect(page.KeyCount).toBeLessThanOrEqual(2);
        expect(page.MaxKeys).toBe(2);
        if (page.IsTruncated) expect(page.NextContinuationToken).toBeDefined();
        else expect(page.NextContinuationToken).toBeUndefined();
        if (token) expect(page.ContinuationToken).toBe(token);
        seen.push(...items);
        token = page.NextContinuationToken;
      } while (token);
      const whole = await list({ Delimiter: delimiter });
      const expected = [...(whole.Contents ?? []).map((c) => c.Key!), ...(whole.CommonPrefixes ?? []).map((p) => p.Prefix!)];
      expect([...seen].sort(compareUtf8)).toEqual([...expected].sort(compareUtf8));
      expect(new Set(seen).size).toBe(seen.length);
      expect(pages).toBe(Math.ceil(expected.length / 2));
    }
  });

  it("starts after a key, and a continuation token takes precedence over start-after", async () => {
    const after = await list({ StartAfter: "processed/dt=2026-11-26/hr=05/b.ndjson.gz", Prefix: "processed/" });
    expect(after.Contents?.map((c) => c.Key)).toEqual([
      "processed/dt=2026-11-26/hr=05/c.ndjson.gz",
      "processed/dt=2026-11-26/hr=06/d.ndjson.gz",
    ]);
    expect(after.StartAfter).toBe("processed/dt=2026-11-26/hr=05/b.ndjson.gz");
    const first = await list({ MaxKeys: 1 });
    const next = await list({ MaxKeys: 1, ContinuationToken: first.NextContinuationToken, StartAfter: "z" });
    expect(next.Contents?.[0]?.Key).toBe(utf8Sorted(KEYS)[1]);
  });

  it("handles max-keys 0, url encoding and bad parameters like S3", async () => {
    const none = await list({ MaxKeys: 0 });
    expect(none.KeyCount).toBe(0);
    expect(none.Contents).toBeUndefined();

    const encoded = await rawRequest(s3.endpoint.url, {
      method: "GET",
      path: "/lake?list-type=2&prefix=u%2F&encoding-type=url",
    });
    expect(encoded.text).toContain("<Key>u/%C3%A9</Key>");
    expect(encoded.text).toContain("<EncodingType>url</EncodingType>");

    for (const query of ["max-keys=-1", "max-keys=abc", "continuation-token=garbage", "encoding-type=base64"]) {
      const bad = await rawRequest(s3.endpoint.url, { method: "GET", path: `/lake?list-type=2&${query}` });
      expect([bad.status, errorCode(bad.text)]).toEqual([400, "InvalidArgument"]);
    }
    const noBucket = await s3.client.send(new ListObjectsV2Command({ Bucket: "nothing-here" })).catch((e: unknown) => e);
    expect((noBucket as S3ServiceException).name).toBe("NoSuchBucket");
  });

  it("serves ListObjects version 1 with marker and NextMarker", async () => {
    const page = await s3.client.send(new ListObjectsCommand({ Bucket: "lake", Delimiter: "/", MaxKeys: 2 }));
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dlq/"]);
    expect(page.Contents?.map((c) => c.Key)).toEqual(["manifest.json"]);
    expect(page.IsTruncated).toBe(true);
    expect(page.NextMarker).toBe("manifest.json");
    const rest = await s3.client.send(new ListObjectsCommand({ Bucket: "lake", Delimiter: "/", Marker: page.NextMarker }));
    expect(rest.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["processed/", "raw/", "u/"]);
    expect(rest.Contents?.map((c) => c.Key)).toEqual(["z-last"]);
    expect(rest.Contents?.[0]?.Owner?.DisplayName).toBe("freshet-local");
  });
});
