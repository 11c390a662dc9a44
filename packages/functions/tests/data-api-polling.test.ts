import { describe, expect, it } from "vitest";
import { nextPollMs, type QueryOptions } from "../src/load/data-api.ts";
import { METRICS_POLLING } from "../src/metrics/records.ts";

/** When DescribeStatement is called, as `finished` does: at once, then after each wait. */
function pollTimes(options: QueryOptions, untilMs: number): number[] {
  const times = [0];
  let wait = options.firstPollMs ?? 25;
  for (let at = wait; at <= untilMs; wait = nextPollMs(wait, options), at += wait) times.push(at);
  return times;
}

/** The first poll that sees a statement which finished at `doneMs`. */
function seenAt(times: readonly number[], doneMs: number): number {
  return times.find((t) => t >= doneMs)!;
}

describe("DescribeStatement polling", () => {
  it("doubles by default, up to 2 s", () => {
    expect(nextPollMs(25)).toBe(50);
    expect(nextPollMs(1500)).toBe(2000);
    expect(nextPollMs(100, { pollBackoff: 0.5 })).toBe(100);
  });

  it("lets the metrics API see a statement finished within a quarter of its time (plus the first wait), where doubling can nearly double it", () => {
    const metrics = pollTimes(METRICS_POLLING, 30_000);
    const doubling = pollTimes({ firstPollMs: METRICS_POLLING.firstPollMs }, 30_000);
    for (let done = 1; done <= 2000; done++) {
      expect(seenAt(metrics, done) - done, `finished at ${done} ms`).toBeLessThanOrEqual(0.25 * done + METRICS_POLLING.firstPollMs);
    }
    expect(Math.max(...[36, 76, 156].map((done) => (seenAt(doubling, done) - done) / done))).toBeGreaterThan(0.9);
  });

  it("still backs off: a statement at the metrics deadline costs well under a hundred DescribeStatement calls", () => {
    expect(pollTimes(METRICS_POLLING, METRICS_POLLING.deadlineMs).length).toBeLessThan(60);
  });
});
