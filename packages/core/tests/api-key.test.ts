import { describe, expect, it } from "vitest";
import { apiKeyMatches } from "@freshet/core";

const KEY = "fsh_live_3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e";

describe("apiKeyMatches", () => {
  it("accepts the expected key", () => {
    expect(apiKeyMatches(KEY, KEY)).toBe(true);
    expect(apiKeyMatches("clé-🔑", "clé-🔑")).toBe(true);
  });

  it("refuses a different key of the same length", () => {
    expect(apiKeyMatches(`${KEY.slice(0, -1)}f`, KEY)).toBe(false);
    expect(apiKeyMatches(KEY.toUpperCase(), KEY)).toBe(false);
  });

  it("refuses keys of a different length, including prefixes and extensions", () => {
    expect(apiKeyMatches(KEY.slice(0, -1), KEY)).toBe(false);
    expect(apiKeyMatches(`${KEY}0`, KEY)).toBe(false);
    expect(apiKeyMatches(` ${KEY}`, KEY)).toBe(false);
    expect(apiKeyMatches("", KEY)).toBe(false);
  });

  it("never matches when no key is configured, not even an empty presented key", () => {
    expect(apiKeyMatches("", "")).toBe(false);
    expect(apiKeyMatches("anything", "")).toBe(false);
  });
});
