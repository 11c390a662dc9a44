import { compileEventPattern, InvalidEventPatternError, matchesPattern } from "@freshet/eventbridge";
import { EventBridgeApiError, validation } from "./errors.ts";
import { envelope, type EventEnvelope } from "./event-envelope.ts";
import { optionalArray, optionalString, Violations, type JsonObject } from "./request-fields.ts";
import { busNameOf, type EventBridgeContext } from "./state.ts";

/** AWS's limit on a PutEvents request: the entries' total size, as AWS counts it. */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;
export const MAX_PUT_EVENTS_ENTRIES = 10;

export type Publish = (busName: string, event: EventEnvelope) => void;

/**
 * PutEvents: every entry is checked on its own (the response reports each entry's `ErrorCode`);
 * accepted ones get an id and are routed to the rules of their bus. An entry for a bus that does
 * not exist is accepted and goes nowhere, as on AWS.
 */
export function putEvents(ctx: EventBridgeContext, input: JsonObject, publish: Publish): object {
  const entries = optionalArray(input, "Entries");
  new Violations()
    .required(entries, "entries")
    .check(entries === undefined || entries.length >= 1, "entries", "have length greater than or equal to 1", "[]")
    .check(entries === undefined || entries.length <= MAX_PUT_EVENTS_ENTRIES, "entries", `have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES}`, "[...]")
    .throwIfAny();
  const list = entries as JsonObject[];
  if (list.reduce((sum, e) => sum + entrySize(e ?? {}), 0) > MAX_PUT_EVENTS_BYTES) {
    throw validation("Total size of the entries in the request is over the limit.");
  }
  let failed = 0;
  const results = list.map((entry) => {
    const outcome = checkEntry(entry ?? {});
    if ("ErrorCode" in outcome) {
      failed++;
      return outcome;
    }
    const time = entry.Time;
    const event = envelope({
      source: entry.Source as string,
      detailType: entry.DetailType as string,
      detail: outcome.detail,
      account: ctx.accountId,
      region: ctx.region,
      time: typeof time === "number" ? time * 1000 : ctx.clock.now(),
      resources: (entry.Resources as string[] | undefined) ?? [],
    });
    publish(busNameOf(entry.EventBusName as string | undefined), event);
    return { EventId: event.id };
  });
  return { FailedEntryCount: failed, Entries: results };
}

/** The size AWS counts for an entry: Time 14 bytes; Source, DetailType, Detail and Resources in UTF-8. */
export function entrySize(entry: JsonObject): number {
  const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : 0);
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  for (const r of Array.isArray(entry.Resources) ? entry.Resources : []) size += bytes(r);
  return size;
}

function checkEntry(entry: JsonObject): { ErrorCode: string; ErrorMessage: string } | { detail: unknown } {
  const invalid = (name: string) => ({
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
  });
  if (typeof entry.Source !== "string" || entry.Source === "") return invalid("Source");
  if (typeof entry.DetailType !== "string" || entry.DetailType === "") return invalid("DetailType");
  if (typeof entry.Detail !== "string") return invalid("Detail");
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  return { detail };
}

const REQUIRED_EVENT_FIELDS = ["id", "account", "source", "time", "region", "detail-type"];

/** TestEventPattern: AWS's answer for a pattern and an event, or its exception. */
export function testEventPattern(_ctx: EventBridgeContext, input: JsonObject): object {
  const pattern = optionalString(input, "EventPattern");
  const event = optionalString(input, "Event");
  new Violations().required(pattern, "eventPattern").required(event, "event").throwIfAny();
  let compiled;
  try {
    compiled = compileEventPattern(pattern!);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw new EventBridgeApiError("InvalidEventPatternException", error.message, { cause: error });
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(event!);
  } catch {
    parsed = undefined;
  }
  const ok = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && REQUIRED_EVENT_FIELDS.every((f) => f in parsed);
  if (!ok) throw validation("Parameter Event is not valid.");
  return { Result: matchesPattern(compiled, event!) };
}
