import { describe, expect, it } from "vitest";
import { forEachLimited } from "../src/shared/for-each-limited.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe("forEachLimited", () => {
  it("runs every item once, in order, never more than the limit at a time", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      started.push(item);
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it("starts nothing after a failure and rejects with it", async () => {
    const started: number[] = [];
    const failure = new Error("item 2");
    await expect(
      forEachLimited([1, 2, 3, 4, 5], 2, async (item) => {
        started.push(item);
        await tick();
        if (item === 2) throw failure;
      }),
    ).rejects.toBe(failure);
    await tick();
    expect(started).not.toContain(5);
    expect(started.slice(0, 2)).toEqual([1, 2]);
  });

  it("accepts no items", async () => {
    await expect(forEachLimited([], 4, async () => undefined)).resolves.toBeUndefined();
  });
});
