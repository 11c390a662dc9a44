import { describe, expect, it } from "vitest";
import {
  EventBridgeLanguageError,
  InvalidEventPatternError,
  InvalidScheduleExpressionError,
  parseScheduleExpression,
  validatePattern,
} from "../src/index.ts";

/** What `action` throws, followed through its causes: each link's name, and whether it is one of ours. */
function causeChain(action: () => unknown): { name: string; ours: boolean }[] {
  let error: unknown;
  try {
    action();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(Error);
  const chain: { name: string; ours: boolean }[] = [];
  for (let e = error; e instanceof Error; e = e.cause) chain.push({ name: e.name, ours: e instanceof EventBridgeLanguageError });
  return chain;
}

describe("errors of the EventBridge language", () => {
  it("share one base and keep their names", () => {
    const pattern = new InvalidEventPatternError("bad");
    const schedule = new InvalidScheduleExpressionError("rate(0 minutes)", "bad");
    expect(pattern).toBeInstanceOf(EventBridgeLanguageError);
    expect(schedule).toBeInstanceOf(EventBridgeLanguageError);
    expect([pattern.name, schedule.name]).toEqual(["InvalidEventPatternError", "InvalidScheduleExpressionError"]);
    expect(new EventBridgeLanguageError("x", { cause: pattern }).cause).toBe(pattern);
  });

  it.each([
    ['{"x": [{"numeric": [">", "a"]}]}', ["InvalidEventPatternError", "PatternSyntaxError"]],
    ['{"x": [{"numeric": [">", 5, "<", 1]}]}', ["InvalidEventPatternError", "PatternSyntaxError", "PatternValueError"]],
    ['{"x": [{"wildcard": "a**b"}]}', ["InvalidEventPatternError", "PatternSyntaxError", "WildcardSyntaxError"]],
    ['{"x": [{"cidr": "10.0.0.0/40"}]}', ["InvalidEventPatternError", "PatternValueError", "IpLiteralError"]],
  ])("a refused pattern %s carries what the reader found as its cause", (pattern, names) => {
    const chain = causeChain(() => validatePattern(pattern));
    expect(chain.map((link) => link.name)).toEqual(names);
    expect(chain.every((link) => link.ours)).toBe(true);
  });

  it("a refused cron expression carries the field's problem as its cause", () => {
    const chain = causeChain(() => parseScheduleExpression("cron(0 3 * * * *)"));
    expect(chain).toEqual([
      { name: "InvalidScheduleExpressionError", ours: true },
      { name: "CronFieldError", ours: true },
    ]);
  });
});
