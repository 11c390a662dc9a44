import { describe, expect, it } from "vitest";
import { createProgress, renderProgress } from "../../src/cli/progress.ts";

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
