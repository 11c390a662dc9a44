import { expect, it } from "vitest";
import { topSources } from "../src/triage/top-sources.ts";

it("keeps the most frequent sources by name and sums the rest under (others), once", () => {
  const perObject = topSources({ a: 5, b: 1, c: 3, d: 1 }, 2);
  expect(perObject).toEqual({ a: 5, c: 3, "(others)": 2 });
  // Summing per-object results and cutting again keeps one (others) with every letter counted.
  const summary = topSources({ ...perObject, e: 4 }, 2);
  expect(summary).toEqual({ a: 5, e: 4, "(others)": 5 });
  expect(Object.values(summary).reduce((n, c) => n + c, 0)).toBe(14);
});
