import { describe, expect, it } from "vitest";
import { countArrayElements, countNdjsonLines, exceedsEventCount } from "../src/ingest/count-events.ts";

const bytes = (text: string) => Buffer.from(text);

describe("countArrayElements", () => {
  it.each([
    ["[]", 0],
    [" [ \n ] ", 0],
    ["[1]", 1],
    ['[{"a":[1,2,3]},{"b":{"c":1,"d":2}}, "x"]', 3],
    ['["a,b,c", "],[", "\\",\\""]', 3],
    ["[[],[],[[]]]", 3],
    ['[{"é,":"ü,"}]', 1],
  ])("%s holds %i", (text, count) => {
    expect(countArrayElements(bytes(text))).toBe(count);
    expect(countArrayElements(bytes(text))).toBe((JSON.parse(text) as unknown[]).length);
  });
});

describe("countNdjsonLines", () => {
  it("counts the lines the split keeps: not blank ones, with or without a final newline", () => {
    expect(countNdjsonLines(bytes('{"a":1}\n\n  \t\r\n{"b":2}\r\n{"c":3}'))).toBe(3);
    expect(countNdjsonLines(bytes('{"a":1}\n'))).toBe(1);
    expect(countNdjsonLines(bytes("\n\n"))).toBe(0);
  });
});

describe("exceedsEventCount", () => {
  it("is exact at the limit, for arrays and NDJSON", () => {
    const array = (n: number) => bytes(`[${Array.from({ length: n }, (_, i) => `{"i":${i}}`).join(",")}]`);
    const lines = (n: number) => bytes(Array.from({ length: n }, (_, i) => `{"i":${i}}`).join("\n"));
    expect(exceedsEventCount(array(3), true, 3)).toBe(false);
    expect(exceedsEventCount(array(4), true, 3)).toBe(true);
    expect(exceedsEventCount(lines(3), false, 3)).toBe(false);
    expect(exceedsEventCount(lines(4), false, 3)).toBe(true);
  });

  it("is not fooled by commas inside strings or nested values, nor by blank lines", () => {
    expect(exceedsEventCount(bytes('[{"a":[1,2,3,4,5]}, "a,b,c,d"]'), true, 2)).toBe(false);
    expect(exceedsEventCount(bytes('{"a":1}\n\n\n\n\n{"b":2}\n'), false, 2)).toBe(false);
  });
});
