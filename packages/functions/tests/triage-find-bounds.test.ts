import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandInput } from "@aws-sdk/client-s3";
import { TRIAGE_PREFIXES, TRIAGE_WATERMARK_KEY, partitionsFrom, triageClaimKey, triageDoneKey } from "@freshet/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLAIM_TTL_MS, claimObjects } from "../src/triage/claims.ts";
import { findUnhandled, type FindOptions } from "../src/triage/find-unhandled.ts";
import { advanceWatermark, readWatermark } from "../src/triage/watermark.ts";
import { startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/**
 * Find against the embedded S3: per-object claims (a live execution's objects are not found by
 * another; a lapsed claim is taken over) and the bounded listing (the watermark, the look-back,
 * StartAfter on the dead letters, the claims and the ledger alike).
 */
let h: WarehouseHarness;
/** Every ListObjectsV2 the S3 client sent, as sent. */
const lists: ListObjectsV2CommandInput[] = [];

beforeAll(async () => {
  h = await startWarehouseHarness("triage-find-bounds");
  h.s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ListObjectsV2Command") lists.push({ ...(args.input as ListObjectsV2CommandInput) });
      return next(args);
    },
    { step: "initialize", name: "recordLists" },
  );
});
afterAll(async () => h?.stop());

/** Claims are judged by S3's LastModified, so Find's clock starts at the real time; claims lapse an hour and more after it. */
const NOW = new Date();
const day = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const letter = (daysAgo: number, batch: string, reason = "schema_violation") => `dlq/dt=${day(daysAgo)}/reason=${reason}/${batch}.ndjson.gz`;
const put = (key: string, body = "x") => h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: body }));
const done = (key: string) => put(triageDoneKey(key), "{}");
const find = (options: Partial<FindOptions> = {}) => findUnhandled(h.s3, h.bucket, { maxObjects: 100, now: NOW, lookbackDays: 1, ...options });
const keysOf = (found: { objects: readonly { key: string }[] }) => found.objects.map((o) => o.key).sort();

async function clearLake(): Promise<void> {
  const listed = await h.s3.send(new ListObjectsV2Command({ Bucket: h.bucket }));
  for (const o of listed.Contents ?? []) await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: o.Key! }));
  lists.length = 0;
}

describe("Find on a lake without dead letters", () => {
  beforeAll(clearLake);

  it("writes nothing: no claim, no watermark", async () => {
    expect(await find({ executionName: "exec-0" })).toMatchObject({ objects: [], unhandled: 0, listedFrom: null, watermark: null });
    expect((await h.s3.send(new ListObjectsV2Command({ Bucket: h.bucket }))).KeyCount ?? 0).toBe(0);
  });
});

describe("Find's claims", () => {
  const a = letter(0, "a");
  const b = letter(0, "b");
  const c = letter(0, "c");
  beforeAll(async () => {
    await clearLake();
    for (const key of [a, b, c]) await put(key);
  });

  it("takes each object for one execution: another execution finds them in progress, not to triage", async () => {
    const first = await find({ executionName: "exec-1" });
    expect(keysOf(first)).toEqual([a, b, c].sort());
    const second = await find({ executionName: "exec-2" });
    expect(second).toMatchObject({ objects: [], unhandled: 3, inProgress: 3, deferred: 0 });
    const claim = JSON.parse(await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: triageClaimKey(a) }))).Body!.transformToString());
    expect(claim).toMatchObject({ deadLetterKey: a, executionName: "exec-1", expiresAt: expect.any(String) });
  });

  it("claims nothing in a dry run, and a dry run leaves claimed objects to their execution", async () => {
    await put(letter(0, "d"));
    const dry = await find({ executionName: "exec-dry", dryRun: true });
    expect(keysOf(dry)).toEqual([letter(0, "d")]);
    expect(await find({ executionName: "exec-3" })).toMatchObject({ objects: [{ key: letter(0, "d") }], inProgress: 3 });
  });

  it("gives a retried Find its own claims back", async () => {
    const again = await find({ executionName: "exec-1", retried: true });
    expect(keysOf(again)).toEqual([a, b, c].sort());
    expect(again.inProgress).toBe(1); // exec-3's
  });

  it("takes over the claims of an execution that died, once they lapse", async () => {
    // exec-1 crashed: an hour and more later its objects are found again.
    const later = new Date(NOW.getTime() + CLAIM_TTL_MS + 1000);
    const rescued = await find({ executionName: "exec-4", now: later });
    expect(keysOf(rescued)).toEqual([a, b, c, letter(0, "d")].sort());
    // … each by one execution: the takeover was a conditional write on the lapsed claim's ETag.
    expect(await find({ executionName: "exec-5", now: new Date(NOW.getTime() + 60_000) })).toMatchObject({ objects: [], inProgress: 4 });
  });

  it("loses a takeover to another execution that took the lapsed claim first", async () => {
    const stale = new Map([[a, { etag: '"0123456789abcdef0123456789abcdef"', lastModified: new Date(0) }]]);
    expect(await claimObjects(h.s3, h.bucket, [a], stale, "exec-6", 1, NOW)).toEqual({ claimed: [], tried: 1 });
  });

  it("does not return an object whose done marker is written, claimed or not", async () => {
    await done(a);
    const later = new Date(NOW.getTime() + CLAIM_TTL_MS * 2);
    expect(keysOf(await find({ executionName: "exec-7", now: later }))).toEqual([b, c, letter(0, "d")].sort());
  });
});

describe("Find's bounded listing", () => {
  const old = letter(30, "old");
  const late = letter(4, "late");
  const today = letter(0, "today");
  const yesterday = letter(1, "yesterday");

  beforeEach(() => {
    lists.length = 0;
  });

  const triagePrefixes = new Set<string>([TRIAGE_PREFIXES.deadLetters, TRIAGE_PREFIXES.ledger, TRIAGE_PREFIXES.claims]);
  /** The listings of the three triage prefixes: prefix → StartAfter. */
  const listings = () => lists.filter((l) => triagePrefixes.has(l.Prefix!)).map((l) => [l.Prefix, l.StartAfter]);

  beforeAll(async () => {
    await clearLake();
    // A month of history, all triaged: the old code listed it (and its ledger) on every execution.
    for (let d = 30; d >= 2; d--) {
      const key = letter(d, `done-${d}`);
      await put(key);
      await done(key);
    }
    await put(old);
  });

  it("lists everything once when there is no watermark, and sets it to the oldest day not done", async () => {
    const first = await find({ executionName: "e-1" });
    expect(keysOf(first)).toEqual([old]);
    expect(first).toMatchObject({ listedFrom: null, watermark: day(30) });
    expect(listings()).toEqual(expect.arrayContaining([[TRIAGE_PREFIXES.deadLetters, undefined], [TRIAGE_PREFIXES.ledger, undefined]]));
  });

  it("lists from the watermark while an object there is not done", async () => {
    const again = await find({ executionName: "e-2" });
    expect(again).toMatchObject({ objects: [], inProgress: 1, listedFrom: day(30), watermark: day(30) });
  });

  it("once it is done, lists only since yesterday: every listing of letters, claims and ledger starts there", async () => {
    await done(old);
    await put(today);
    await put(yesterday);
    const moved = await find({ executionName: "e-3" });
    expect(moved).toMatchObject({ listedFrom: day(30), watermark: day(1) });
    lists.length = 0;
    const next = await find({ executionName: "e-4", dryRun: true });
    expect(next).toMatchObject({ listedFrom: day(1), inProgress: 2 });
    expect(listings().sort()).toEqual(
      [
        [TRIAGE_PREFIXES.claims, partitionsFrom(TRIAGE_PREFIXES.claims, day(1))],
        [TRIAGE_PREFIXES.deadLetters, partitionsFrom(TRIAGE_PREFIXES.deadLetters, day(1))],
        [TRIAGE_PREFIXES.ledger, partitionsFrom(TRIAGE_PREFIXES.ledger, day(1))],
      ].sort(),
    );
  });

  it("leaves a dead letter written late into an older day to the sweep, which lowers the watermark for everyone", async () => {
    await put(late); // a batch the transformer took days after it arrived
    const event = await find({ executionName: "e-5" });
    expect(event.objects).toEqual([]);
    expect(event.listedFrom).toBe(day(1));

    const sweep = await find({ executionName: "e-sweep", lookbackDays: 7, maxObjects: 1 });
    expect(sweep).toMatchObject({ objects: [{ key: late }], listedFrom: day(7), watermark: day(4) });
    lists.length = 0;
    expect(await find({ executionName: "e-6", dryRun: true })).toMatchObject({ listedFrom: day(4), inProgress: 3 });
    // Never before the watermark or the look-back: the month of done history is not listed again.
    for (const [prefix, startAfter] of listings()) expect(startAfter).toBe(partitionsFrom(prefix!, day(4)));
  });

  it("keeps a dry run from moving the watermark", async () => {
    await done(late);
    const dry = await find({ dryRun: true });
    expect(dry).toMatchObject({ listedFrom: day(4), watermark: day(4) });
    const text = await (await h.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: TRIAGE_WATERMARK_KEY }))).Body!.transformToString();
    expect(JSON.parse(text)).toMatchObject({ oldestUnhandledDt: day(4) });
  });

  it("does not raise a watermark another Find lowered since it was read", async () => {
    const read = await readWatermark(h.s3, h.bucket); // day(4)
    // Meanwhile a sweep lowers it …
    expect(await advanceWatermark(h.s3, h.bucket, read, day(7), day(6), NOW, "sweep")).toBe(day(6));
    // … so a Find that listed from day(4) (it never saw day 6) may not raise it past day 6.
    expect(await advanceWatermark(h.s3, h.bucket, read, day(4), day(1), NOW, "stale")).toBe(day(6));
    expect((await readWatermark(h.s3, h.bucket))?.dt).toBe(day(6));
  });
});
