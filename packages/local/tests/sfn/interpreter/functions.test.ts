import { describe, expect, it } from "vitest";
import { machine, run } from "./harness.ts";

/** Evaluates one expression in a Pass state's Output and returns the execution result. */
async function evaluate(expression: string, input: unknown = {}) {
  return (await run(machine({ Eval: { Type: "Pass", Output: { value: `{% ${expression} %}` }, End: true } }), input)).result;
}

async function value(expression: string, input: unknown = {}): Promise<unknown> {
  const result = await evaluate(expression, input);
  expect(result.status, result.cause).toBe("SUCCEEDED");
  return (result.output as { value: unknown }).value;
}

// AWS developer guide, "Transforming data with JSONata in Step Functions" → "JSONata functions
// provided by Step Functions" ($partition, $range, $hash, $random, $uuid, $parse; $eval is not available).
// Results for $range/$partition edge cases follow AWS executions recorded in LocalStack's snapshot tests.
describe("Step Functions JSONata functions", () => {
  it("$partition splits an array into chunks, the last one shorter", async () => {
    expect(await value("$partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)")).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(await value("$partition([0, 1, 2, 3], 3)")).toEqual([[0, 1, 2], [3]]);
    expect(await value("$partition([0], 5)")).toEqual([[0]]);
    expect((await evaluate("$partition([1, 2], 0)")).error).toBe("States.QueryEvaluationError");
  });

  it("$range counts from start to end inclusive by step", async () => {
    expect(await value("$range(0, 10, 2)")).toEqual([0, 2, 4, 6, 8, 10]);
    expect(await value("$range(0, 10, 3)")).toEqual([0, 3, 6, 9]);
    expect(await value("$range(1, 9, 2)")).toEqual([1, 3, 5, 7, 9]);
    // A one-item range is a singleton sequence: AWS returns the item itself.
    expect(await value("$range(1, 9, 9)")).toBe(1);
    expect(await value("$range(10, 0, -5)")).toEqual([10, 5, 0]);
    expect((await evaluate("$range(0, 5000, 1)")).error).toBe("States.QueryEvaluationError");
  });

  it("$hash computes MD5, SHA-1, SHA-256, SHA-384 and SHA-512 as lowercase hex", async () => {
    expect(await value("$hash('abc', 'MD5')")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(await value("$hash('abc', 'SHA-1')")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(await value("$hash($states.input.content, 'SHA-256')", { content: "abc" })).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(String(await value("$hash('abc', 'SHA-384')"))).toHaveLength(96);
    expect(String(await value("$hash('abc', 'SHA-512')"))).toHaveLength(128);
    const bad = await evaluate("$hash('abc', 'SHA-3')");
    expect(bad.error).toBe("States.QueryEvaluationError");
    expect(bad.cause).toContain("unsupported algorithm 'SHA-3'");
  });

  it("$random gives a number in [0, 1); with a seed, the same number every time", async () => {
    const unseeded = (await value("[$random(), $random(), $random()]")) as number[];
    for (const n of unseeded) expect(n >= 0 && n < 1).toBe(true);
    const seeded = await value("$random($states.input.seed)", { seed: 42 });
    expect(await value("$random(42)")).toBe(seeded);
    expect(await value("$random(43)")).not.toBe(seeded);
    // Freshet's seeded generator is java.util.Random (Step Functions runs on the JVM): new Random(42).nextDouble().
    expect(seeded).toBe(0.7275636800328681);
  });

  it("$uuid gives a fresh version 4 UUID", async () => {
    const [a, b] = (await value("[$uuid(), $uuid()]")) as string[];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it("$parse turns JSON text into a value", async () => {
    expect(await value("$parse($states.input.text)", { text: '{"key":"value","list":[1,2]}' })).toEqual({ key: "value", list: [1, 2] });
    expect(await value("$parse('1.1')")).toBe(1.1);
    expect(await value("$parse('\"HelloWorld\"')")).toBe("HelloWorld");
    expect((await evaluate("$parse('{not json')")).error).toBe("States.QueryEvaluationError");
  });

  it("$eval is not available", async () => {
    const result = await evaluate("$eval('1 + 1')");
    expect(result.error).toBe("States.QueryEvaluationError");
    expect(result.cause).toContain("T1006: Attempted to invoke a non-function");
  });

  it("$now and $millis read the execution's clock", async () => {
    expect(await value("$now()")).toBe("2025-01-01T00:00:00.000Z");
    expect(await value("$millis()")).toBe(Date.UTC(2025, 0, 1));
    expect(await value("$now('[Y0001]-[M01]')")).toBe("2025-01");
  });

  it("keeps JSONata's standard library (string, numeric, higher-order functions)", async () => {
    expect(await value("$map($states.input.items, function($v) { $v.price * $v.qty }) ~> $sum()", { items: [{ price: 2, qty: 3 }, { price: 5, qty: 1 }] })).toBe(11);
    expect(await value("$join($split('a,b,c', ','), '-')")).toBe("a-b-c");
    expect(await value("$states.input.items[price > 3].name", { items: [{ name: "x", price: 2 }, { name: "y", price: 5 }] })).toBe("y");
  });
});
