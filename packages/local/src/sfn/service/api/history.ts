import type { HistoryEvent } from "../../interpreter/contract.ts";
import { epochSeconds, type SfnContext } from "./context.ts";
import { executionOf } from "./executions.ts";
import { optionalBoolean, optionalInteger, optionalString, type JsonObject } from "./input.ts";
import { decodeToken, encodeToken, pageSize } from "./paging.ts";

/** The fields `includeExecutionData: false` leaves out: the data an event carries. */
const DATA_FIELDS = new Set(["input", "output"]);

/** GetExecutionHistory: AWS's event types and details, oldest first unless `reverseOrder`. */
export function getExecutionHistory(ctx: SfnContext, input: JsonObject): object {
  const record = executionOf(ctx, input);
  const reverse = optionalBoolean(input, "reverseOrder") ?? false;
  const withData = optionalBoolean(input, "includeExecutionData") ?? true;
  const size = pageSize(optionalInteger(input, "maxResults", 0, 1000));
  const scope = `history ${record.arn} ${reverse}`;
  const from = decodeToken<number>(scope, optionalString(input, "nextToken", 3096, 1));
  const all = ctx.store.history(record);
  const ordered = reverse ? [...all].reverse() : all;
  const rest = from === undefined ? ordered : ordered.filter((e) => (reverse ? e.id < from : e.id > from));
  const page = rest.slice(0, size);
  const last = page[page.length - 1];
  return {
    events: page.map((event) => wireEvent(event, withData)),
    ...(rest.length > size && last ? { nextToken: encodeToken(scope, last.id) } : {}),
  };
}

function wireEvent(event: HistoryEvent, withData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...event, timestamp: epochSeconds(event.timestamp) };
  if (!withData) {
    for (const [key, value] of Object.entries(out)) {
      if (!key.endsWith("EventDetails") || typeof value !== "object" || value === null) continue;
      out[key] = Object.fromEntries(Object.entries(value).filter(([field]) => !DATA_FIELDS.has(field)));
    }
  }
  return out;
}
