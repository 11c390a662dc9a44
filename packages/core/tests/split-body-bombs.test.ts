import { describe, expect, it } from "vitest";
import { DEFAULT_INGEST_LIMITS, PayloadTooLargeError, splitBody } from "@freshet/core";

/*
 * Count bombs: bodies well under the 5 MiB body limit holding millions of tiny events. Their
 * refusal must cost no memory beyond the body; each runs in this file's own process so that the
 * process's peak resident size (`maxRSS`, a high-water mark, not a timing) measures the refusal.
 */
const MiB = 1024 * 1024;
/** What a refusal may add to the process's peak; splitting the bombs below costs hundreds of MiB. */
const REFUSAL_BUDGET = 48 * MiB;
const peakBytes = () => process.resourceUsage().maxRSS * 1024;

function refusal(body: Buffer, contentType: string): { error: unknown; peakGrowth: number } {
  const before = peakBytes();
  try {
    splitBody(body, contentType, DEFAULT_INGEST_LIMITS);
  } catch (error) {
    return { error, peakGrowth: peakBytes() - before };
  }
  return { error: undefined, peakGrowth: peakBytes() - before };
}

describe("count bombs under the body limit", () => {
  const n = 2_000_000;
  it.each([
    ["a JSON array of two million 0s", () => Buffer.from(`[${"0,".repeat(n - 1)}0]`), "application/json"],
    ["two million NDJSON lines of 0", () => Buffer.from("0\n".repeat(n - 1) + "0"), "application/x-ndjson"],
  ])("%s: 413 (count) with bounded memory", (_name, build, contentType) => {
    const body = build();
    expect(body.byteLength).toBeLessThanOrEqual(DEFAULT_INGEST_LIMITS.maxBodyBytes);
    const { error, peakGrowth } = refusal(body, contentType);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ statusCode: 413, limit: "count", message: `${n} events in one request; the limit is ${DEFAULT_INGEST_LIMITS.maxEvents}` });
    expect(peakGrowth).toBeLessThan(REFUSAL_BUDGET);
  });
});
