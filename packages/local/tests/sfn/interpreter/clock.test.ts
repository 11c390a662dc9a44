import { describe, expect, it } from "vitest";
import { realClock, VirtualClock } from "../../../src/sfn/interpreter/index.ts";

/** How many event-loop turns (setImmediate) pass before `promise` settles; `max + 1` if it has not by then. */
async function turnsUntil(promise: Promise<unknown>, max: number): Promise<number> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let turn = 0; turn <= max; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) return turn;
  }
  return max + 1;
}

describe("VirtualClock", () => {
  it("wakes sleepers in order of their virtual due time and jumps now() there, without waiting for real", async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 1));
    const woke: [string, number][] = [];
    const all = Promise.all(
      [
        ["day", 86_400_000],
        ["second", 1000],
        ["hour", 3_600_000],
      ].map(([name, ms]) => clock.sleep(ms as number).then(() => woke.push([name as string, clock.now() - Date.UTC(2025, 0, 1)]))),
    );
    // Every sleeper wakes within a few turns of the event loop: no real timer is waited for.
    expect(await turnsUntil(all, 10)).toBeLessThanOrEqual(10);
    expect(woke).toEqual([
      ["second", 1000],
      ["hour", 3_600_000],
      ["day", 86_400_000],
    ]);
  });

  it("rejects an aborted sleep with the signal's reason and never wakes it", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(5000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pending).toBe(0);
    expect(clock.now()).toBe(Date.UTC(2025, 0, 1));
  });

  it("moves time forward with advance()", async () => {
    const clock = new VirtualClock(0);
    const sleeping = clock.sleep(10_000);
    clock.advance(4000);
    expect(clock.now()).toBe(4000);
    await sleeping;
    expect(clock.now()).toBe(10_000);
  });
});

describe("VirtualClock work tracking", () => {
  it("stands still while tracked work is busy for real, so a guard timer cannot fire early", async () => {
    const clock = new VirtualClock(0);
    let guardFiredAt: number | undefined;
    void clock.sleep(1000).then(() => (guardFiredAt = clock.now()));
    const result = await clock.track(async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      return "answered";
    });
    expect(result).toBe("answered");
    expect(guardFiredAt).toBeUndefined();
    expect(clock.now()).toBe(0);
    await clock.sleep(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(guardFiredAt).toBe(1000);
  });

  it("lets time pass while tracked work sleeps on the clock", async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    void clock.sleep(5000).then(() => order.push("guard"));
    await clock.track(async () => {
      await clock.sleep(3000);
      order.push("work");
    });
    expect(order).toEqual(["work"]);
    expect(clock.now()).toBe(3000);
  });

  it("stops holding time once the work is abandoned", async () => {
    const clock = new VirtualClock(0);
    const abandon = new AbortController();
    void clock.track(() => new Promise(() => {}), abandon.signal);
    const sleeping = clock.sleep(100);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(clock.now()).toBe(0);
    abandon.abort();
    await sleeping;
    expect(clock.now()).toBe(100);
  });
});

describe("realClock", () => {
  it("sleeps for real and can be aborted", async () => {
    const started = Date.now();
    await realClock.sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const controller = new AbortController();
    const sleeping = realClock.sleep(60_000, controller.signal);
    controller.abort(new Error("stopped"));
    await expect(sleeping).rejects.toThrow("stopped");
  });
});
