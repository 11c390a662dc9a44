import { describe, expect, it } from "vitest";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "@freshet/core";
import { bytes } from "./helpers/factories.ts";

const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

describe("exceedsJsonDepth", () => {
  it("counts arrays and objects together, exactly at the limit", () => {
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[]}]}'), 4)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[]}]}'), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
  });

  it("measures the deepest point, not the number of containers", () => {
    const wide = `[${Array.from({ length: 1000 }, () => "[[]]").join(",")}]`;
    expect(exceedsJsonDepth(bytes(wide), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes(wide), 2)).toBe(true);
  });

  it("ignores brackets inside strings, including after escaped quotes", () => {
    expect(exceedsJsonDepth(bytes({ s: "[".repeat(10_000) }), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes({ s: 'say \\"[[[[\\" ok' }), 1)).toBe(false);
    // An escaped backslash ends right before the closing quote: the next bracket counts.
    expect(exceedsJsonDepth(bytes('{"s":"\\\\","t":[[]]}'), 2)).toBe(true);
    expect(exceedsJsonDepth(bytes('{"s":"\\\\","t":[[]]}'), 3)).toBe(false);
  });

  it("is not confused by multi-byte UTF-8 text", () => {
    expect(exceedsJsonDepth(bytes({ s: "日本語 ✓ 🎉 [", t: ["é"] }), 2)).toBe(false);
  });
});
