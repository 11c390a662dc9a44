import { PutObjectCommand } from "@aws-sdk/client-s3";
import { TRIAGE_LEASE_KEY, triageDoneKey } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TriageInputError } from "../src/errors.ts";
import { findUnhandled as find } from "../src/triage/find-unhandled.ts";
import { releaseLease, takeLease } from "../src/triage/lease.ts";
import { summarize, TOP_SOURCES } from "../src/triage/summarize.ts";
import type { ObjectTriage, SummarizeInput } from "../src/triage/types.ts";
import { startWarehouseHarness, type WarehouseHarness } from "./load-harness.ts";

/** The triage function's lease and listing against the embedded S3; its summary as a pure sum. */
let h: WarehouseHarness;
beforeAll(async () => {
  h = await startWarehouseHarness("triage-lake");
});
afterAll(async () => h?.stop());

const put = (key: string, body = "x") => h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: body }));

describe("the debounce lease", () => {
  it("is created by one caller only until it is released", async () => {
    expect(await takeLease(h.s3, h.bucket, TRIAGE_LEASE_KEY, { by: "first" })).toBe(true);
    expect(await takeLease(h.s3, h.bucket, TRIAGE_LEASE_KEY, { by: "second" })).toBe(false);
    await releaseLease(h.s3, h.bucket, TRIAGE_LEASE_KEY);
    expect(await takeLease(h.s3, h.bucket, TRIAGE_LEASE_KEY, { by: "third" })).toBe(true);
  });

  it("is looked at before it is written: a caller that finds it held writes nothing", async () => {
    await releaseLease(h.s3, h.bucket, TRIAGE_LEASE_KEY); // the test before leaves it held
    const sent: string[] = [];
    const s3 = h.s3;
    s3.middlewareStack.add((next, context) => (args) => (sent.push(context.commandName ?? "?"), next(args)), { step: "initialize", name: "recordCommands" });
    try {
      expect(await takeLease(s3, h.bucket, TRIAGE_LEASE_KEY, { by: "first" })).toBe(true);
      expect(sent).toEqual(["HeadObjectCommand", "PutObjectCommand"]);
      sent.length = 0;
      expect(await takeLease(s3, h.bucket, TRIAGE_LEASE_KEY, { by: "second" })).toBe(false);
      expect(sent).toEqual(["HeadObjectCommand"]);
    } finally {
      s3.middlewareStack.remove("recordCommands");
      await releaseLease(s3, h.bucket, TRIAGE_LEASE_KEY);
    }
  });

  it("lets any other S3 failure through", async () => {
    await expect(takeLease(h.s3, "no-such-bucket", TRIAGE_LEASE_KEY, {})).rejects.toThrow();
  });
});

describe("findUnhandled", () => {
  const findUnhandled = (s3: typeof h.s3, bucket: string, options: { reason?: string; maxObjects: number }) =>
    find(s3, bucket, { now: new Date("2026-12-01T12:00:00Z"), lookbackDays: 1, ...options });
  const schema = (batch: string) => `dlq/dt=2026-12-01/reason=schema_violation/${batch}.ndjson.gz`;
  const rule = "dlq/dt=2026-12-01/reason=rule_violation/r1.ndjson.gz";

  beforeAll(async () => {
    for (const key of [schema("s1"), rule, schema("s2"), schema("s3")]) await put(key);
    await put(triageDoneKey(schema("s2")), "{}");
    // Triage's own objects under dlq/ are never dead letters.
    await put("dlq/quarantine/dt=2026-12-01/reason=schema_violation/s0.ndjson.gz");
    await put("dlq/triage/summaries/dt=2026-12-01/e.json", "{}");
  });

  it("lists dead letters without a done marker, oldest first", async () => {
    const found = await findUnhandled(h.s3, h.bucket, { maxObjects: 10 });
    expect(found.objects.map((o) => o.key).sort()).toEqual([rule, schema("s1"), schema("s3")]);
    // LastModified has whole seconds: ties go by key.
    const order = found.objects.map((o) => [o.lastModified, o.key].join(" "));
    expect(order).toEqual([...order].sort());
    expect(found).toMatchObject({ unhandled: 3, deferred: 0, oldestDeferredAt: null });
  });

  it("keeps to one reason when asked", async () => {
    const found = await findUnhandled(h.s3, h.bucket, { reason: "rule_violation", maxObjects: 10 });
    expect(found.objects.map((o) => o.key)).toEqual([rule]);
  });

  it("defers what is beyond the bound, saying how old the oldest deferred is", async () => {
    const all = await findUnhandled(h.s3, h.bucket, { maxObjects: 10 });
    const found = await findUnhandled(h.s3, h.bucket, { maxObjects: 1 });
    expect(found.objects).toEqual(all.objects.slice(0, 1));
    expect(found).toMatchObject({ unhandled: 3, deferred: 2, oldestDeferredAt: expect.any(String) });
    expect(found.oldestDeferredAt! >= found.objects[0]!.lastModified).toBe(true);
  });

  it("refuses a reason the transformer never writes", async () => {
    await expect(findUnhandled(h.s3, h.bucket, { reason: "schema-violation", maxObjects: 1 })).rejects.toBeInstanceOf(TriageInputError);
  });
});

describe("summarize", () => {
  const object = (key: string, o: Partial<ObjectTriage>): ObjectTriage => ({
    key,
    alreadyTriaged: false,
    letters: 0,
    repaired: 0,
    redriven: 0,
    quarantined: 0,
    byReason: {},
    bySource: {},
    byRule: {},
    unreadable: null,
    oldestArrival: null,
    ...o,
  });
  const input = (results: ObjectTriage[], extra: Partial<SummarizeInput> = {}): SummarizeInput => ({
    step: "summarize",
    executionName: "e1",
    startedAt: "2026-12-01T00:00:00.000Z",
    found: { objects: [], unhandled: results.length + 2, deferred: 2, oldestDeferredAt: "2026-11-30T00:00:00.000Z", inProgress: 0, listedFrom: null, watermark: null },
    results,
    ...extra,
  });
  const results = [
    object("a", {
      letters: 3,
      repaired: 2,
      redriven: 2,
      quarantined: 1,
      byReason: { schema_violation: { letters: 3, repaired: 2, quarantined: 1 } },
      bySource: { p1: 2, p2: 1 },
      byRule: { "revenue-decimal-string@1": 2 },
    }),
    object("b", { letters: 1, quarantined: 1, byReason: { unreadable: { letters: 1, repaired: 0, quarantined: 1 } }, unreadable: "not a gzip object" }),
    object("c", { alreadyTriaged: true }),
  ];

  it("adds up reasons, sources, rules and the counts, and carries the deferred objects", () => {
    const s = summarize(input(results), new Date("2026-12-01T00:01:00Z"), 5);
    expect(s).toMatchObject({
      objects: 3,
      alreadyTriaged: 1,
      unreadableObjects: 1,
      letters: 4,
      repaired: 2,
      redriven: 2,
      quarantined: 2,
      byReason: { schema_violation: { letters: 3, repaired: 2, quarantined: 1 }, unreadable: { letters: 1, repaired: 0, quarantined: 1 } },
      bySource: { p1: 2, p2: 1 },
      byRule: { "revenue-decimal-string@1": 2 },
      deferred: 2,
      oldestUnhandledAt: "2026-11-30T00:00:00.000Z",
      alert: false,
    });
  });

  it("alerts from the threshold on, never for a dry run or for nothing", () => {
    expect(summarize(input(results), new Date(), 2).alert).toBe(true);
    expect(summarize(input(results, { dryRun: true }), new Date(), 2).alert).toBe(false);
    expect(summarize(input([]), new Date(), 0).alert).toBe(false);
  });

  it("names the most frequent sources only", () => {
    const bySource = Object.fromEntries(Array.from({ length: TOP_SOURCES + 5 }, (_, i) => [`p${i}`, i + 1]));
    const s = summarize(input([object("a", { bySource })]), new Date(), 1);
    expect(Object.keys(s.bySource)).toHaveLength(TOP_SOURCES + 1);
    expect(s.bySource["(others)"]).toBe(1 + 2 + 3 + 4 + 5);
  });
});
