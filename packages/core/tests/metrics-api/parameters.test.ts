import { describe, expect, it } from "vitest";
import { MetricsQueryError } from "../../src/metrics-api/errors.ts";
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_SPAN_MS, parseAnomaliesQuery, parseFreshnessQuery, parseMetricsQuery } from "../../src/metrics-api/parameters.ts";
import { anomaliesQuery, freshnessQuery, metricsView, METRICS_VIEWS } from "../../src/metrics-api/view-catalog.ts";

const NOW = new Date("2026-03-10T12:34:56.789Z");
const campaign = metricsView("campaign-performance");

function refusal(fn: () => unknown): { reason: string; parameter: string | undefined; statusCode: number } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsQueryError);
    const e = error as MetricsQueryError;
    return { reason: e.reason, parameter: e.parameter, statusCode: e.statusCode };
  }
  throw new Error("expected a refusal");
}

describe("parseMetricsQuery", () => {
  it("defaults to the last hour, the view's first bucket and the default limit", () => {
    const q = parseMetricsQuery({}, campaign, NOW);
    expect(q.to).toEqual(NOW);
    expect(q.bucket).toBe("minute");
    expect(q.from.toISOString()).toBe("2026-03-10T11:34:00.000Z");
    expect(q.limit).toBe(DEFAULT_LIMIT);
    expect(q.campaign).toBeUndefined();
  });

  it("takes from/to in UTC with any offset and floors from to the bucket", () => {
    const q = parseMetricsQuery({ from: "2026-03-01T05:30:00+02:00", to: "2026-03-02", bucket: "hour" }, campaign, NOW);
    expect(q.from.toISOString()).toBe("2026-03-01T03:00:00.000Z");
    expect(q.to.toISOString()).toBe("2026-03-02T00:00:00.000Z");
  });

  it("keeps campaign and channel as given, quotes and all (they are bound)", () => {
    const view = metricsView("revenue-attribution");
    const q = parseMetricsQuery({ campaign: "x' OR '1'='1", channel: "email" }, view, NOW);
    expect(q).toMatchObject({ campaign: "x' OR '1'='1", channel: "email", bucket: "day" });
  });

  it.each([
    [{ region: "eu" }, "unknown_parameter", "region"],
    [{ from: "yesterday" }, "invalid_timestamp", "from"],
    [{ from: "2026-01-01'; DROP TABLE events;--" }, "invalid_timestamp", "from"],
    [{ to: "2026-02-30T00:00:00Z" }, "invalid_timestamp", "to"],
    [{ from: "2026-03-10T00:00:00" }, "invalid_timestamp", "from"],
    [{ from: "2026-03-10T12:00:00Z", to: "2026-03-10T11:00:00Z" }, "empty_range", "from"],
    [{ from: "2026-03-08T00:00:00Z", to: "2026-03-10T00:00:00Z", bucket: "minute" }, "range_too_long", "to"],
    [{ bucket: "week" }, "invalid_bucket", "bucket"],
    [{ channel: "email" }, "unsupported_parameter", "channel"],
    [{ campaign: "" }, "invalid_string", "campaign"],
    [{ campaign: "c".repeat(129) }, "invalid_string", "campaign"],
    [{ campaign: "a\nb" }, "invalid_string", "campaign"],
    [{ limit: "0" }, "invalid_limit", "limit"],
    [{ limit: String(MAX_LIMIT + 1) }, "invalid_limit", "limit"],
    [{ limit: "1e3" }, "invalid_limit", "limit"],
  ])("refuses %j: %s", (params, reason, parameter) => {
    expect(refusal(() => parseMetricsQuery(params, campaign, NOW))).toEqual({ reason, parameter, statusCode: 400 });
  });

  it("allows each bucket's longest span and no more", () => {
    for (const bucket of ["minute", "hour", "day"] as const) {
      const to = new Date("2026-03-10T00:00:00Z");
      const ok = new Date(to.getTime() - MAX_SPAN_MS[bucket]);
      expect(parseMetricsQuery({ from: ok.toISOString(), to: to.toISOString(), bucket }, campaign, NOW).from).toEqual(ok);
      const over = new Date(ok.getTime() - 86_400_000);
      expect(refusal(() => parseMetricsQuery({ from: over.toISOString(), to: to.toISOString(), bucket }, campaign, NOW)).reason).toBe("range_too_long");
    }
  });

  it("refuses a bucket the view does not have", () => {
    expect(refusal(() => parseMetricsQuery({ bucket: "minute" }, metricsView("feature-adoption"), NOW)).reason).toBe("unsupported_bucket");
  });
});

describe("the view catalog", () => {
  it("names the four views and answers 404 for any other", () => {
    expect(METRICS_VIEWS.map((v) => metricsView(v).name)).toEqual([...METRICS_VIEWS]);
    expect(refusal(() => metricsView("events"))).toMatchObject({ reason: "unknown_view", statusCode: 404 });
    expect(refusal(() => metricsView("toString"))).toMatchObject({ reason: "unknown_view" });
  });

  it("binds every client value as a parameter and splices none into the SQL", () => {
    const hostile = "x' OR '1'='1";
    for (const name of METRICS_VIEWS) {
      const view = metricsView(name);
      const params = Object.fromEntries(view.filters.map((f) => [f, hostile]));
      const { sql, parameters } = view.build(parseMetricsQuery(params, view, NOW));
      expect(sql).not.toContain(hostile);
      expect(sql).not.toMatch(/'\d{4}-/); // no timestamp literal
      for (const p of parameters) expect(sql).toContain(`:${p.name}`);
      for (const f of view.filters) expect(parameters).toContainEqual({ name: f, value: hostile });
    }
  });

  it("leaves an absent filter out of the SQL (the Data API refuses empty values)", () => {
    const { sql, parameters } = campaign.build(parseMetricsQuery({}, campaign, NOW));
    expect(sql).not.toContain(":campaign");
    expect(parameters.map((p) => p.name)).toEqual(["from", "to"]);
    expect(parameters.every((p) => p.value.length > 0)).toBe(true);
  });
});

describe("freshness and anomalies", () => {
  it("the freshness route takes no parameters", () => {
    expect(() => parseFreshnessQuery(undefined)).not.toThrow();
    expect(refusal(() => parseFreshnessQuery({ metric: "x" })).reason).toBe("unknown_parameter");
    expect(freshnessQuery("user_engagement").parameters).toEqual([{ name: "metric", value: "user_engagement" }]);
  });

  it("anomalies default to the last day and bind since", () => {
    const q = parseAnomaliesQuery(null, NOW);
    expect(NOW.getTime() - q.since.getTime()).toBe(86_400_000);
    expect(anomaliesQuery(q.since, q.limit).parameters).toEqual([{ name: "since", value: "2026-03-09 12:34:56.789" }]);
    expect(refusal(() => parseAnomaliesQuery({ since: "2020-01-01T00:00:00Z" }, NOW)).reason).toBe("range_too_long");
    expect(refusal(() => parseAnomaliesQuery({ since: "1' OR 1=1" }, NOW)).reason).toBe("invalid_timestamp");
  });
});
