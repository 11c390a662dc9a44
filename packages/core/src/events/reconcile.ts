import * as v from "valibot";
import { parseEventTime } from "./timestamps.ts";
import { EventV1Schema, upgradeV1 } from "./v1.ts";
import { EventV2Schema, type EventV2 } from "./v2.ts";
import type { CanonicalEvent, SchemaVersion } from "./canonical.ts";
import type { FieldError } from "../validation/outcome.ts";
import { compileAcceptor, type Acceptor } from "./schema-check.ts";

/** The schema versions Freshet accepts, newest last. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly SchemaVersion[] = [1, 2];

/** Fields only v1 producers send: their presence identifies an unversioned legacy event. */
const V1_MARKERS = ["eventId", "type", "timestamp", "userId", "accountId"] as const;

// Checks derived from the schemas themselves (see schema-check.ts): most events are valid, and
// for them valibot's full parse would only rebuild the object it was given.
const ACCEPTS_V1 = compileAcceptor(EventV1Schema);
const ACCEPTS_V2 = compileAcceptor(EventV2Schema);

type Validated<T> = { readonly ok: true; readonly output: T } | { readonly ok: false; readonly errors: FieldError[] };

/** Valibot's verdict on a record, asked only when the derived check does not accept it outright. */
function validate<S extends typeof EventV1Schema | typeof EventV2Schema>(
  schema: S,
  accepts: Acceptor | undefined,
  record: Record<string, unknown>,
): Validated<v.InferOutput<S>> {
  // An accepted record is exactly what valibot would return: its schemas do not transform.
  if (accepts?.(record)) return { ok: true, output: record as v.InferOutput<S> };
  const parsed = v.safeParse(schema, record);
  return parsed.success ? { ok: true, output: parsed.output } : { ok: false, errors: toFieldErrors(parsed.issues) };
}

export type ReconcileResult =
  | { readonly ok: true; readonly event: CanonicalEvent }
  | {
      readonly ok: false;
      readonly reason: "schema_violation" | "unsupported_version";
      readonly errors: readonly FieldError[];
    };

/**
 * Stage 1, schema: detects the producer's schema version, validates against that version's
 * schema, and maps the result onto one canonical event whatever the version was.
 */
export function reconcile(input: unknown): ReconcileResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return schemaViolation([{ path: "", message: `an event must be a JSON object, got ${describe(input)}` }]);
  }
  const record = input as Record<string, unknown>;
  const version = detectSchemaVersion(record);
  if (version === undefined) {
    return {
      ok: false,
      reason: "unsupported_version",
      errors: [
        {
          path: "schema_version",
          message: `${JSON.stringify(record.schema_version)} is not supported; supported: ${SUPPORTED_SCHEMA_VERSIONS.join(", ")}`,
        },
      ],
    };
  }
  let event: EventV2;
  if (version === 1) {
    const parsed = validate(EventV1Schema, ACCEPTS_V1, record);
    if (!parsed.ok) return schemaViolation(parsed.errors);
    event = upgradeV1(parsed.output);
  } else {
    const parsed = validate(EventV2Schema, ACCEPTS_V2, record);
    if (!parsed.ok) return schemaViolation(parsed.errors);
    event = parsed.output;
  }
  return { ok: true, event: toCanonical(event, version, record) };
}

/** The schema version a record is in: the declared one, else v1 when it carries a v1-only field, else v2; `undefined` when unsupported. */
export function detectSchemaVersion(record: Readonly<Record<string, unknown>>): SchemaVersion | undefined {
  const declared = record.schema_version;
  if (declared === undefined) {
    for (const field of V1_MARKERS) if (Object.hasOwn(record, field)) return 1;
    return 2;
  }
  const n = typeof declared === "string" ? Number(declared) : declared;
  return SUPPORTED_SCHEMA_VERSIONS.includes(n as SchemaVersion) ? (n as SchemaVersion) : undefined;
}

function toCanonical(event: EventV2, version: SchemaVersion, original: Record<string, unknown>): CanonicalEvent {
  // The schema guarantees the time parses; properties are taken from the parsed input itself so
  // that every key (even `__proto__`, which the validator's copy leaves out) is kept as sent.
  const properties = original.properties as Record<string, unknown> | null | undefined;
  return {
    eventId: event.event_id,
    eventType: event.event_type,
    occurredAt: parseEventTime(event.occurred_at) as Date,
    userId: String(event.user_id),
    accountId: String(event.account_id),
    campaignId: event.campaign_id ?? null,
    adGroupId: event.ad_group_id ?? null,
    adId: event.ad_id ?? null,
    keyword: event.keyword ?? null,
    channel: event.channel ?? null,
    revenue: event.revenue ?? null,
    currency: event.currency ?? null,
    properties: properties ?? {},
    sourceSchemaVersion: version,
  };
}

export function toFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({
    path: v.getDotPath(issue) ?? "",
    message: unknownKeyMessage(issue) ?? issue.message,
  }));
}

function unknownKeyMessage(issue: v.BaseIssue<unknown>): string | undefined {
  if (issue.type !== "strict_object" || issue.kind !== "schema") return undefined;
  if (issue.expected === "never") return `unknown field ${JSON.stringify(issue.input)}; put free-form data under "properties"`;
  if (issue.received === "undefined") return "is required";
  return undefined;
}

function schemaViolation(errors: FieldError[]): ReconcileResult {
  return { ok: false, reason: "schema_violation", errors };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
