import { describe, expect, it } from "vitest";
import { BufferPool, NdjsonBuilder } from "@freshet/core";

/** What the builder must produce: each line and a newline, UTF-8. */
const expected = (lines: readonly string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8");

function build(lines: readonly string[], hint?: number, pool?: BufferPool): Buffer {
  const builder = new NdjsonBuilder(hint, pool);
  for (const line of lines) builder.push(line);
  expect(builder.lineCount).toBe(lines.length);
  return builder.finish();
}

describe("NdjsonBuilder", () => {
  it("writes nothing for no lines", () => {
    expect(build([]).length).toBe(0);
  });

  it("encodes ASCII, Latin-1, BMP and astral text exactly as Buffer.from would", () => {
    const lines = ['{"a":1}', '{"name":"Zoë"}', '{"t":"日本語"}', '{"e":"🎉🎉"}', "", '{"x":"\\u0000"}'];
    expect(build(lines)).toEqual(expected(lines));
  });

  it("takes several finished lines in one piece, counting them", () => {
    const builder = new NdjsonBuilder(1);
    builder.push("{}");
    builder.pushLines('{"a":"é"}\n{"b":2}\n', 2);
    expect(builder.lineCount).toBe(3);
    expect(builder.finish()).toEqual(expected(["{}", '{"a":"é"}', '{"b":2}']));
  });

  it("grows from a tiny first buffer without losing or splitting a character", () => {
    // Lines of 1–4-byte characters around every buffer boundary the growth passes through.
    const alphabet = ["a", "é", "€", "𝄞"];
    const lines = Array.from({ length: 3000 }, (_, i) => alphabet[i % 4]!.repeat(1 + (i % 97)));
    expect(build(lines, 1)).toEqual(expected(lines));
  });

  it("stays exact when the first guess is right to the byte, or one short", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `{"i":${i},"s":"${"€".repeat(i % 7)}"}`);
    const size = expected(lines).length;
    expect(build(lines, size)).toEqual(expected(lines));
    expect(build(lines, size - 1)).toEqual(expected(lines));
  });

  it("builds in pooled memory, giving back what it outgrew and, on release, what it used", () => {
    const pool = new BufferPool();
    const lines = Array.from({ length: 2000 }, (_, i) => `{"i":${i},"pad":"${"x".repeat(100)}"}`);
    const builder = new NdjsonBuilder(1024, pool);
    for (const line of lines) builder.push(line);
    expect(builder.finish()).toEqual(expected(lines));
    const outgrown = pool.freeBytes;
    expect(outgrown).toBeGreaterThan(0);
    builder.release();
    expect(pool.freeBytes).toBeGreaterThan(outgrown);
    // The next body reuses that memory instead of asking for more.
    const before = pool.freeBytes;
    const again = build(lines, 1024, pool);
    expect(again).toEqual(expected(lines));
    expect(pool.freeBytes).toBeLessThan(before);
  });
});

describe("BufferPool", () => {
  it("hands out the smallest free buffer that fits, or a new one of at least the size asked", () => {
    const pool = new BufferPool();
    const small = pool.take(20_000);
    const large = pool.take(200_000);
    expect(small.length).toBeGreaterThanOrEqual(20_000);
    expect(large.length).toBeGreaterThanOrEqual(200_000);
    pool.give(large);
    pool.give(small);
    expect(pool.take(10_000)).toBe(small);
    expect(pool.take(10_000)).toBe(large);
    expect(pool.freeBytes).toBe(0);
    expect(pool.take(10_000)).not.toBe(small);
  });

  it("keeps no more than its limit, leaving the rest to the GC", () => {
    const pool = new BufferPool(100_000);
    pool.give(pool.take(60_000));
    pool.give(pool.take(60_000));
    pool.give(Buffer.alloc(70_000));
    expect(pool.freeBytes).toBeLessThanOrEqual(100_000);
  });
});
