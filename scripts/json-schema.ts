/**
 * Publishes the producer contract, `InputEventSchema` from `@freshet/core`, as JSON Schema in
 * `schemas/event.schema.json`, so producers in any language can check events before sending them.
 *
 *   node scripts/json-schema.ts           regenerate the file
 *   node scripts/json-schema.ts --check   exit 1 when the committed file is out of date
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { toJsonSchema, type JsonSchema, type OverrideActionContext, type OverrideSchemaContext } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { EventV2Schema, InputEventSchema, isEpoch, isIsoWithOffset } from "@freshet/core";

export const EVENT_SCHEMA_PATH = fileURLToPath(new URL("../schemas/event.schema.json", import.meta.url));

/**
 * The grammar `isIsoWithOffset` accepts, field ranges included. The one thing JSON Schema cannot
 * say is the length of each month: `2026-02-30` matches here and is refused by Freshet.
 */
export const ISO_WITH_OFFSET_PATTERN =
  "^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):?[0-5]\\d)$";

/** `isEpoch` accepts what JavaScript's Date can hold: ±8.64e15 ms (the seconds range is inside it). */
export const EPOCH_LIMIT = 8.64e15;

/**
 * Each custom check of the contract, by identity, as the JSON Schema keywords that say the same.
 * Any other check still makes the conversion throw, so the published schema cannot silently
 * become looser than the validator.
 */
const CHECKS = new Map<unknown, JsonSchema>([
  [isIsoWithOffset, { pattern: ISO_WITH_OFFSET_PATTERN }],
  [
    isEpoch,
    {
      minimum: -EPOCH_LIMIT,
      maximum: EPOCH_LIMIT,
      description: "Unix epoch: seconds when its magnitude is below 1e11, otherwise milliseconds",
    },
  ],
]);

function overrideAction({ valibotAction, jsonSchema }: OverrideActionContext): JsonSchema | undefined {
  const action = valibotAction as v.PipeAction<unknown, unknown, v.BaseIssue<unknown>> & { requirement?: unknown };
  if (action.type === "check") {
    const keywords = CHECKS.get(action.requirement);
    return keywords ? { ...jsonSchema, ...keywords } : undefined;
  }
  // JSON numbers are finite except literals beyond double range (1e309), which parse to Infinity.
  if (action.type === "finite") return { ...jsonSchema, maximum: Number.MAX_VALUE };
  return undefined;
}

/** Schemas shared by v1 and v2, found by identity through the v2 entries. */
const EVENT_TIME = EventV2Schema.entries.occurred_at;
const PROPERTIES = EventV2Schema.entries.properties.wrapped;

function overrideSchema({ valibotSchema, jsonSchema }: OverrideSchemaContext): JsonSchema | undefined {
  // A custom schema (`isJsonObject`): any JSON object, whatever its keys.
  if (valibotSchema === PROPERTIES) return { type: "object" };
  // The event time is a string or a number, never both: say so with `oneOf`.
  if (valibotSchema === EVENT_TIME && jsonSchema.anyOf) {
    const { anyOf, ...rest } = jsonSchema;
    return { ...rest, oneOf: anyOf };
  }
  return undefined;
}

/** The JSON Schema of everything a producer may send (v2 first, then legacy v1). */
export function buildEventJsonSchema(
  schema: v.BaseSchema<unknown, unknown, v.BaseIssue<unknown>> = InputEventSchema,
): JsonSchema {
  const { $schema, ...converted } = toJsonSchema(schema, { target: "draft-07", errorMode: "throw", overrideAction, overrideSchema });
  return {
    $schema,
    title: "Freshet input event",
    description:
      "One event as POSTed to /v1/events: schema v2 (snake_case) or legacy v1 (camelCase). " +
      "Business rules (event time window, event_type alphabet, currency code, nesting depth) are checked by the pipeline, not here.",
    ...converted,
  };
}

/** The file's exact content: pretty, stable key order, trailing newline. */
export function renderEventJsonSchema(): string {
  return `${JSON.stringify(buildEventJsonSchema(), null, 2)}\n`;
}

/** Compares a schema file with what the contract generates; `message` says what to do when stale. */
export function checkEventJsonSchema(path: string = EVENT_SCHEMA_PATH): { readonly ok: boolean; readonly message: string } {
  let current: string;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    return { ok: false, message: `${path} is missing; run: node scripts/json-schema.ts` };
  }
  return current === renderEventJsonSchema()
    ? { ok: true, message: `${path} is up to date` }
    : { ok: false, message: `${path} differs from InputEventSchema; run: node scripts/json-schema.ts` };
}

function main(args: readonly string[]): number {
  if (args.includes("--check")) {
    const { ok, message } = checkEventJsonSchema();
    (ok ? console.log : console.error)(message);
    return ok ? 0 : 1;
  }
  writeFileSync(EVENT_SCHEMA_PATH, renderEventJsonSchema());
  console.log(`wrote ${EVENT_SCHEMA_PATH}`);
  return 0;
}

// Run only as a command, not when a test imports the builder.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
