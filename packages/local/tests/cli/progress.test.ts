import { afterEach, describe, expect, it, vi } from "vitest";
import { createActivity, createProgress, renderProgress } from "../../src/cli/progress.ts";

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (chunk: string) => (written.push(chunk), true) } as unknown as NodeJS.WriteStream };
}

describe("progress bar", () => {
  it("draws the share done and a note", () => {
    expect(renderProgress("replaying", 3, 12, "1,500 records")).toBe(`replaying [${"#".repeat(7)}${".".repeat(21)}]  25 %  1,500 records`);
    expect(renderProgress("load", 7, 0, "s, running")).toBe("load 7  s, running");
  });

  it("draws on a terminal and clears its line when finished", () => {
    const { written, stream } = fakeStream(true);
    const progress = createProgress({ label: "replaying", total: 2, stream, intervalMs: 0 });
    progress.update(1);
    progress.update(2);
    progress.finish();
    expect(written).toHaveLength(3);
    expect(written[1]).toContain("100 %");
    expect(written[2]).toBe("\r\x1b[2K");
  });

  it("writes nothing when stderr is not a terminal (piped, CI, --json consumers)", () => {
    const { written, stream } = fakeStream(false);
    const progress = createProgress({ label: "replaying", total: 2, stream });
    progress.update(1);
    progress.finish();
    expect(written).toEqual([]);
  });
});

describe("activity bar (work of unknown length)", () => {
  afterEach(() => vi.useRealTimers());

  it("shows what the work is doing, keeps log lines above the bar, and moves between steps until finished", () => {
    vi.useFakeTimers();
    const { written, stream } = fakeStream(true);
    const activity = createActivity({ label: "redrive", stream, tickMs: 1000 });
    activity.step("Find");
    expect(written.at(-1)).toBe("\r\x1b[2Kredrive 0  s, Find");
    activity.log("  Find entered");
    // The bar's line is cleared for the log line, then the bar is drawn again below it.
    expect(written.slice(-2)).toEqual(["\r\x1b[2K  Find entered\n", "\r\x1b[2Kredrive 0  s, Find"]);
    vi.advanceTimersByTime(2000);
    expect(written.at(-1)).toBe("\r\x1b[2Kredrive 2  s, Find");
    activity.finish();
    expect(written.at(-1)).toBe("\r\x1b[2K");
    const count = written.length;
    vi.advanceTimersByTime(5000);
    expect(written).toHaveLength(count);
  });

  it("off a terminal writes the log lines only", () => {
    vi.useFakeTimers();
    const { written, stream } = fakeStream(false);
    const activity = createActivity({ label: "redrive", stream });
    activity.step("Find");
    activity.log("started arn:x");
    vi.advanceTimersByTime(5000);
    activity.finish();
    expect(written).toEqual(["started arn:x\n"]);
  });
});
