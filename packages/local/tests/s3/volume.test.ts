import { randomBytes } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeS3, rawRequest, type S3Harness, startS3WithBucket } from "./harness.ts";

const PREFIX = "processed/dt=2026-11-26/hr=05/";
const KEYS = 10_000;

let s3: S3Harness;
beforeAll(async () => {
  s3 = await startS3WithBucket();
});
afterAll(() => disposeS3(s3));

/** Runs `task(0..count-1)` with `width` in flight. */
async function inFlight(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Lists over plain HTTP, without the SDK's XML parsing; returns the keys counted. */
async function listAllRaw(prefix: string): Promise<number> {
  let keys = 0;
  let token: string | undefined;
  do {
    const query = `list-type=2&prefix=${encodeURIComponent(prefix)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`;
    const page = await rawRequest(s3.endpoint.url, { method: "GET", path: `/lake?${query}` });
    keys += Number(/<KeyCount>(\d+)<\/KeyCount>/.exec(page.text)?.[1]);
    token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(page.text)?.[1];
  } while (token);
  return keys;
}

async function listAll(prefix: string): Promise<number> {
  let keys = 0;
  let token: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: prefix, ContinuationToken: token }));
    keys += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

// Their speed is measured by `npm run bench -- s3`.
describe("volume", () => {
  it("puts and gets 100 KB objects, and lists 10k keys under a prefix before and after a restart", async () => {
    const body = randomBytes(100 * 1024);
    await inFlight(400, 8, (i) => s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: `big/${i}`, Body: body })));
    await inFlight(400, 8, async (i) => {
      const out = await s3.client.send(new GetObjectCommand({ Bucket: "lake", Key: `big/${i}` }));
      const bytes = await out.Body!.transformToByteArray();
      if (bytes.length !== body.length) throw new Error("short read");
    });

    await inFlight(400, 8, async (i) => {
      const out = await rawRequest(s3.endpoint.url, { method: "GET", path: `/lake/big/${i}` });
      if (out.body.length !== body.length) throw new Error("short read");
    });
    await inFlight(400, 8, async (i) => {
      const out = await rawRequest(s3.endpoint.url, { method: "PUT", path: `/lake/big/${i}`, body });
      if (out.status !== 200) throw new Error(out.text);
    });

    await inFlight(KEYS, 16, (i) =>
      s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: `${PREFIX}part-${String(i).padStart(5, "0")}.ndjson.gz`, Body: "x" })),
    );
    expect(await listAll(PREFIX)).toBe(KEYS);
    expect(await listAllRaw(PREFIX)).toBe(KEYS);

    s3 = await s3.restart();
    // The first listing after the restart loads the index; the second reads it from memory.
    expect(await listAll(PREFIX)).toBe(KEYS);
    expect(await listAll(PREFIX)).toBe(KEYS);
  }, 120_000);
});
