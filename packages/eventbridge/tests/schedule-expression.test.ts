import { describe, expect, it } from "vitest";
import { InvalidScheduleExpressionError, nextFireTimes, parseScheduleExpression, zonedTimeToUtc } from "../src/index.ts";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("rate expressions", () => {
  it("rejects seconds, as AWS does, unless the local-only extension is asked for", () => {
    expect(() => parseScheduleExpression("rate(5 seconds)")).toThrow(InvalidScheduleExpressionError);
    expect(parseScheduleExpression("rate(5 seconds)", { allowSeconds: true })).toMatchObject({ kind: "rate", unit: "second", intervalMs: 5_000 });
    expect(parseScheduleExpression("rate(1 second)", { allowSeconds: true })).toMatchObject({ intervalMs: 1_000 });
    expect(() => parseScheduleExpression("rate(1 seconds)", { allowSeconds: true })).toThrow(InvalidScheduleExpressionError);
    const every5s = parseScheduleExpression("rate(5 seconds)", { allowSeconds: true });
    const anchor = new Date("2026-11-26T10:00:00Z");
    expect(iso(nextFireTimes(every5s, anchor, 3, { anchor }))).toEqual([
      "2026-11-26T10:00:05.000Z",
      "2026-11-26T10:00:10.000Z",
      "2026-11-26T10:00:15.000Z",
    ]);
  });

  it.each([
    ["rate(1 minute)", 60_000],
    ["rate(5 minutes)", 300_000],
    ["rate(1 hour)", 3_600_000],
    ["rate(12 hours)", 43_200_000],
    ["rate(1 day)", 86_400_000],
    ["rate(7 days)", 604_800_000],
  ])("%s is valid, every %i ms", (expr, interval) => {
    const schedule = parseScheduleExpression(expr);
    expect(schedule).toMatchObject({ kind: "rate", intervalMs: interval });
  });

  it.each([
    "rate(1 minutes)",
    "rate(1 hours)",
    "rate(1 days)",
    "rate(10 minute)",
    "rate(10 hour)",
    "rate(10 day)",
    "rate(10 seconds)",
    "rate(10 years)",
    "rate()",
    "rate(10)",
    "rate(10 minutess)",
    "rate(foo minutes)",
    "rate(0 minutes)",
    "rate(-10 minutes)",
    "rate(1.5 minutes)",
    "rate(10 MINUTES)",
    "rate( 10 minutes )",
    " rate(10 minutes)",
    "rate(10  minutes)",
    "RATE(10 minutes)",
  ])("%s is refused, as AWS refuses it", (expr) => {
    expect(() => parseScheduleExpression(expr)).toThrow(InvalidScheduleExpressionError);
  });

  it("fires one interval after the time it counts from, then every interval", () => {
    const schedule = parseScheduleExpression("rate(5 minutes)");
    const created = new Date("2026-11-26T10:02:17Z");
    expect(iso(nextFireTimes(schedule, created, 3, { anchor: created }))).toEqual([
      "2026-11-26T10:07:17.000Z",
      "2026-11-26T10:12:17.000Z",
      "2026-11-26T10:17:17.000Z",
    ]);
    // Later on, still on the same grid, strictly after the given time.
    expect(iso(nextFireTimes(schedule, new Date("2026-11-26T10:12:17Z"), 1, { anchor: created }))).toEqual(["2026-11-26T10:17:17.000Z"]);
    expect(() => nextFireTimes(schedule, created, 1)).toThrow(InvalidScheduleExpressionError);
  });
});

describe("cron expressions", () => {
  // Examples of the EventBridge user guide, all accepted by PutRule.
  it.each([
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0/30 20-23 ? * MON-FRI *)",
    "cron(0 2 ? * SAT *)",
    "cron(5,35 14 * * ? *)",
    "cron(15 10 ? * 6L 2002-2005)",
    "cron(0 2 ? * SAT#3 *)",
    "cron(* * ? * SAT#3 *)",
    "cron(0/5 5 ? JAN 1-5 2022)",
    "cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
    "cron(1-31/30 1-1 ? * 1,7 *)",
    "cron(0 10 L * ? *)",
    "cron(0 10 LW * ? *)",
    "cron(0 10 15W * ? *)",
    "cron(0 0 ? * mon-fri *)",
  ])("%s is valid", (expr) => {
    expect(parseScheduleExpression(expr)).toMatchObject({ kind: "cron", expression: expr });
  });

  it.each([
    ["cron(0 1 * * * *)", "day-of-month and day-of-week"],
    ["cron(7 20 * * 1-7 *)", "day-of-month and day-of-week"],
    ["cron(0 1 ? * ? *)", "day-of-month and day-of-week"],
    ["cron(7 20 * * NOT *)", "day-of-month and day-of-week"],
    ["cron(7 20 ? * NOT *)", "not a value"],
    ["cron(INVALID)", "6 fields"],
    ["cron(0 1 * * ?)", "6 fields"],
    ["cron(0 dummy ? * MON-FRI *)", "not a value"],
    ["cron(71 8 1 * ? *)", "outside 0-59"],
    ["cron(0 24 * * ? *)", "outside 0-23"],
    ["cron(0 0 0 * ? *)", "outside 1-31"],
    ["cron(0 0 * 13 ? *)", "outside 1-12"],
    ["cron(0 0 ? * 8 *)", "outside 1-7"],
    ["cron(0 0 * * ? 1969)", "outside 1970-2199"],
    ["cron(*/60 * * * ? *)", "increment"],
    ["cron(0 0 ? * 1/2 *)", "increments"],
    ["cron(15 12 ? * -1 *)", "not a value"],
    ["cron(0 0 ? * 2#6 *)", "1 to 5"],
    ["cron(0 22-2 * * ? *)", "ascend"],
    ["cron(0 0 ? * 5W *)", "not a value"],
    ["cron(? 0 * * ? *)", "only for day-of-month or day-of-week"],
    ["cron(0/5  * * * ? *)", "6 fields"],
  ])("%s is refused (%s)", (expr, problem) => {
    expect(() => parseScheduleExpression(expr)).toThrow(problem);
  });

  it("fires cron(0/5 * * * ? *) at :00, :05, :10 … of every hour, in UTC", () => {
    const schedule = parseScheduleExpression("cron(0/5 * * * ? *)");
    expect(iso(nextFireTimes(schedule, new Date("2026-11-26T10:57:31Z"), 4))).toEqual([
      "2026-11-26T11:00:00.000Z",
      "2026-11-26T11:05:00.000Z",
      "2026-11-26T11:10:00.000Z",
      "2026-11-26T11:15:00.000Z",
    ]);
    // A time that is itself a firing time is not returned again.
    expect(iso(nextFireTimes(schedule, new Date("2026-11-26T11:00:00Z"), 1))).toEqual(["2026-11-26T11:05:00.000Z"]);
  });

  it.each([
    // 2026-11-26 is a Thursday. Day-of-week 1 is Sunday.
    ["cron(0 0 ? * 1 *)", ["2026-11-29T00:00:00.000Z", "2026-12-06T00:00:00.000Z"]],
    ["cron(0 9 ? * 7 *)", ["2026-11-28T09:00:00.000Z", "2026-12-05T09:00:00.000Z"]],
    ["cron(0 12 ? * MON-FRI *)", ["2026-11-26T12:00:00.000Z", "2026-11-27T12:00:00.000Z", "2026-11-30T12:00:00.000Z"]],
    ["cron(0 10 L * ? *)", ["2026-11-30T10:00:00.000Z", "2026-12-31T10:00:00.000Z", "2027-01-31T10:00:00.000Z", "2027-02-28T10:00:00.000Z"]],
    ["cron(0 0 LW * ? *)", ["2026-11-30T00:00:00.000Z", "2026-12-31T00:00:00.000Z", "2027-01-29T00:00:00.000Z"]],
    ["cron(0 10 ? * 6#3 *)", ["2026-12-18T10:00:00.000Z", "2027-01-15T10:00:00.000Z"]],
    ["cron(0 10 ? * 2L *)", ["2026-11-30T10:00:00.000Z", "2026-12-28T10:00:00.000Z"]],
    ["cron(0 0 ? * L *)", ["2026-11-28T00:00:00.000Z", "2026-12-05T00:00:00.000Z"]],
    ["cron(0 8 1 * ? *)", ["2026-12-01T08:00:00.000Z", "2027-01-01T08:00:00.000Z"]],
    ["cron(0 0 1/10 * ? *)", ["2026-12-01T00:00:00.000Z", "2026-12-11T00:00:00.000Z", "2026-12-21T00:00:00.000Z", "2026-12-31T00:00:00.000Z"]],
    ["cron(0 0 29 2 ? *)", ["2028-02-29T00:00:00.000Z"]],
    ["cron(15 10 ? * 6L 2002-2005)", []],
  ])("%s fires at %j", (expr, times) => {
    const schedule = parseScheduleExpression(expr);
    expect(iso(nextFireTimes(schedule, new Date("2026-11-26T10:07:00Z"), times.length || 1))).toEqual(times);
  });

  it("reads a cron in the schedule's time zone", () => {
    const schedule = parseScheduleExpression("cron(0 12 * * ? *)");
    const after = new Date("2026-11-26T10:07:00Z");
    expect(iso(nextFireTimes(schedule, after, 1, { timezone: "Europe/Stockholm" }))).toEqual(["2026-11-26T11:00:00.000Z"]);
    expect(iso(nextFireTimes(schedule, after, 1, { timezone: "America/New_York" }))).toEqual(["2026-11-26T17:00:00.000Z"]);
  });
});

describe("at expressions (Scheduler only)", () => {
  it("are refused unless allowed, and must be a real date and time", () => {
    expect(() => parseScheduleExpression("at(2027-01-01T00:00:00)")).toThrow(/only for EventBridge Scheduler/);
    expect(parseScheduleExpression("at(2027-01-01T00:00:00)", { allowAt: true })).toMatchObject({ kind: "at", localTime: "2027-01-01T00:00:00" });
    for (const bad of ["at(2027-02-30T00:00:00)", "at(2027-01-01 00:00:00)", "at(2027-01-01T24:00:00)", "at(2027-1-1T00:00:00)", "at(2027-01-01T00:00)"]) {
      expect(() => parseScheduleExpression(bad, { allowAt: true })).toThrow(InvalidScheduleExpressionError);
    }
  });

  it("fire once, at the wall-clock time of the schedule's zone", () => {
    const schedule = parseScheduleExpression("at(2027-07-01T09:30:00)", { allowAt: true });
    expect(iso(nextFireTimes(schedule, new Date("2027-01-01T00:00:00Z"), 5))).toEqual(["2027-07-01T09:30:00.000Z"]);
    expect(iso(nextFireTimes(schedule, new Date("2027-01-01T00:00:00Z"), 1, { timezone: "Europe/Paris" }))).toEqual(["2027-07-01T07:30:00.000Z"]);
    expect(nextFireTimes(schedule, new Date("2027-07-01T09:30:00Z"), 1)).toEqual([]);
    expect(zonedTimeToUtc("2027-01-15T09:30:00", "Europe/Paris").toISOString()).toBe("2027-01-15T08:30:00.000Z");
  });
});
