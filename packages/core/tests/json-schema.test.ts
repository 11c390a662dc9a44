import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { afterAll, describe, expect, it } from "vitest";
import type { JsonSchema } from "@valibot/to-json-schema";
import { InputEventSchema, isEpoch, isIsoWithOffset } from "@freshet/core";
import {
  buildEventJsonSchema,
  checkEventJsonSchema,
  EPOCH_LIMIT,
  EVENT_SCHEMA_PATH,
  ISO_WITH_OFFSET_PATTERN,
  renderEventJsonSchema,
} from "../../../scripts/json-schema.ts";
import { anEventV1, anEventV2 } from "./helpers/factories.ts";

const committed = JSON.parse(readFileSync(EVENT_SCHEMA_PATH, "utf8")) as JsonSchema;
const branches = (committed.anyOf ?? []) as JsonSchema[];
const [v2Branch, v1Branch] = branches;

/** The JSON type names a value has (an integer is also a number). */
function jsonTypes(value: unknown): string[] {
  if (value === null) return ["null"];
  if (Array.isArray(value)) return ["array"];
  if (typeof value === "number") return Number.isInteger(value) ? ["integer", "number"] : ["number"];
  return [typeof value];
}

/** Structural check only: required names, allowed names, and each value's JSON type. */
function fitsStructurally(event: Record<string, unknown>, schema: JsonSchema): boolean {
  const properties = schema.properties ?? {};
  if (!(schema.required ?? []).every((name) => Object.hasOwn(event, name))) return false;
  return Object.entries(event).every(([name, value]) => {
    const property = properties[name];
    if (property === undefined || typeof property === "boolean") return schema.additionalProperties !== false;
    const options = (property.anyOf ?? property.oneOf ?? [property]) as JsonSchema[];
    return options.some((option) => {
      const types = option.type === undefined ? undefined : [option.type].flat();
      return types === undefined || jsonTypes(value).some((t) => types.includes(t as never));
    });
  });
}

const matchingBranches = (event: Record<string, unknown>) =>
  branches.flatMap((branch, i) => (fitsStructurally(event, branch) ? [i === 0 ? "v2" : "v1"] : []));

describe("schemas/event.schema.json", () => {
  it("is what the generator produces from InputEventSchema (run: node scripts/json-schema.ts)", () => {
    expect(readFileSync(EVENT_SCHEMA_PATH, "utf8")).toBe(renderEventJsonSchema());
    expect(renderEventJsonSchema().endsWith("}\n")).toBe(true);
  });

  it("describes v2 then v1 as closed objects with their required fields", () => {
    expect(committed.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(branches).toHaveLength(2);
    expect(v2Branch?.required).toEqual(["event_id", "event_type", "occurred_at", "user_id", "account_id"]);
    expect(v1Branch?.required).toEqual(["eventId", "type", "timestamp", "userId", "accountId"]);
    for (const branch of branches) expect(branch.additionalProperties).toBe(false);
    expect(Object.keys(v2Branch?.properties ?? {})).toEqual(Object.keys(InputEventSchema.options[0].entries));
    expect(Object.keys(v1Branch?.properties ?? {})).toEqual(Object.keys(InputEventSchema.options[1].entries));
  });

  const samples: [string, Record<string, unknown>, string[]][] = [
    ["a minimal v2 event", anEventV2({ schema_version: undefined }), ["v2"]],
    ["a full v2 event", anEventV2({ campaign_id: "c", channel: "cpc", revenue: 5, currency: "USD", properties: { a: 1 } }), ["v2"]],
    ["a v2 event with epoch time and integer ids", anEventV2({ occurred_at: 1_795_688_100_000, user_id: 7, account_id: 8 }), ["v2"]],
    ["a v1 event", anEventV1(), ["v1"]],
    ["a v1 event with nulls", anEventV1({ schema_version: 1, campaignId: null, properties: null }), ["v1"]],
    ["a v2 event with an unknown field", anEventV2({ utm_source: "x" }), []],
    ["a v2 event without user_id", anEventV2({ user_id: undefined }), []],
    ["a v1 event mixing in a v2 name", anEventV1({ event_type: "x" }), []],
    ["properties as an array", anEventV2({ properties: [1, 2] }), []],
    ["a boolean event time", anEventV2({ occurred_at: true }), []],
  ];

  it.each(samples)("%s fits %j, as the validator agrees", (_why, event, expected) => {
    expect(matchingBranches(event)).toEqual(expected);
    expect(v.safeParse(InputEventSchema, event).success).toBe(expected.length > 0);
  });
});

describe("faithful conversion of custom checks", () => {
  const occurredAt = v2Branch?.properties?.occurred_at as JsonSchema;
  const [asString, asNumber] = (occurredAt.oneOf ?? []) as JsonSchema[];

  it("states occurred_at as oneOf an ISO string and an epoch number", () => {
    expect(asString).toMatchObject({ type: "string", pattern: ISO_WITH_OFFSET_PATTERN });
    expect(asNumber).toMatchObject({ type: "number", minimum: -EPOCH_LIMIT, maximum: EPOCH_LIMIT });
    expect(v1Branch?.properties?.timestamp).toEqual(occurredAt);
  });

  it("uses a pattern that agrees with isIsoWithOffset except on month lengths", () => {
    const pattern = new RegExp(ISO_WITH_OFFSET_PATTERN);
    const agreed = [
      "2026-11-26T10:00:00Z",
      "2026-11-26T10:00Z",
      "2026-11-26T10:00:00.123456789+05:30",
      "2026-11-26T10:00:00-0800",
      "2026-11-26T23:59:59+23:59",
      "2026-11-26T10:00:00",
      "2026-11-26T10:00:00.1234567890Z",
      "2026-13-01T00:00:00Z",
      "2026-11-00T00:00:00Z",
      "2026-11-32T00:00:00Z",
      "2026-11-26T24:00:00Z",
      "2026-11-26T10:60:00Z",
      "2026-11-26T10:00:60Z",
      "2026-11-26T10:00:00+24:00",
      "2026-11-26T10:00:00+05:60",
      "2026-11-26 10:00:00Z",
    ];
    for (const value of agreed) expect([value, pattern.test(value)]).toEqual([value, isIsoWithOffset(value)]);
    // JSON Schema cannot know that February has 28 days: these pass the pattern only.
    for (const value of ["2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-02-29T00:00:00Z"]) {
      expect([pattern.test(value), isIsoWithOffset(value)]).toEqual([true, false]);
    }
  });

  it("bounds epoch numbers exactly where isEpoch does", () => {
    expect([isEpoch(EPOCH_LIMIT), isEpoch(-EPOCH_LIMIT)]).toEqual([true, true]);
    expect([isEpoch(EPOCH_LIMIT + 1), isEpoch(-EPOCH_LIMIT - 1)]).toEqual([false, false]);
  });

  it("keeps revenue non-negative and finite (1e309 parses to Infinity, above the maximum)", () => {
    const revenue = (v2Branch?.properties?.revenue as JsonSchema).anyOf?.[0] as JsonSchema;
    expect(revenue).toEqual({ type: "number", minimum: 0, maximum: Number.MAX_VALUE });
    expect(JSON.parse("1e309")).toBeGreaterThan(revenue.maximum as number);
  });

  it("refuses to convert a check it has no translation for, rather than dropping it", () => {
    const schema = v.object({ code: v.pipe(v.string(), v.check((s) => s.length === 3, "three letters")) });
    expect(() => buildEventJsonSchema(schema)).toThrow(/"check" action cannot be converted/);
  });
});

describe("node scripts/json-schema.ts --check", () => {
  const dir = mkdtempSync(join(tmpdir(), "freshet-schema-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports a stale or missing file", () => {
    const stale = join(dir, "stale.json");
    writeFileSync(stale, renderEventJsonSchema().replace('"maxLength": 64', '"maxLength": 65'));
    expect(checkEventJsonSchema(stale)).toEqual({
      ok: false,
      message: `${stale} differs from InputEventSchema; run: node scripts/json-schema.ts`,
    });
    expect(checkEventJsonSchema(join(dir, "absent.json")).ok).toBe(false);
    expect(checkEventJsonSchema(EVENT_SCHEMA_PATH).ok).toBe(true);
  });

  it("exits 0 for the committed file", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const run = spawnSync(process.execPath, ["scripts/json-schema.ts", "--check"], { cwd: root, encoding: "utf8" });
    expect([run.status, run.stdout.trim()]).toEqual([0, `${EVENT_SCHEMA_PATH} is up to date`]);
  });
});
