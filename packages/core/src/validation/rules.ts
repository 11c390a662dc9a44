import type { PipelineConfig } from "../config.ts";
import type { CanonicalEvent } from "../events/canonical.ts";
import type { FieldError } from "./outcome.ts";

/** Event types name metrics and dashboards: a conservative alphabet keeps them safe everywhere. */
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const MAX_IDENTIFIER_LENGTH = 128;
const MAX_KEYWORD_LENGTH = 256;

/**
 * Stage 2, business rules: what a well-typed event must also satisfy to be worth loading.
 * Times are judged against the record's arrival in the stream, not the wall clock, so a
 * redelivered batch gets exactly the same verdicts.
 */
export function checkBusinessRules(event: CanonicalEvent, arrivedAt: Date, config: PipelineConfig): FieldError[] {
  const errors: FieldError[] = [];
  const occurred = event.occurredAt.getTime();
  const arrived = arrivedAt.getTime();
  if (occurred > arrived + config.maxFutureSkewMs) {
    errors.push({
      path: "occurred_at",
      message: `is ${formatAge(occurred - arrived)} in the future; at most ${formatAge(config.maxFutureSkewMs)} allowed`,
    });
  } else if (occurred < arrived - config.maxEventAgeMs) {
    errors.push({
      path: "occurred_at",
      message: `is ${formatAge(arrived - occurred)} old; at most ${formatAge(config.maxEventAgeMs)} allowed`,
    });
  }

  if (!EVENT_TYPE.test(event.eventType)) {
    errors.push({ path: "event_type", message: "must be 1-64 of A-Z a-z 0-9 _ . : - and start with a letter or digit" });
  }

  const identifiers: [string, string | null][] = [
    ["user_id", event.userId],
    ["account_id", event.accountId],
    ["campaign_id", event.campaignId],
    ["ad_group_id", event.adGroupId],
    ["ad_id", event.adId],
  ];
  for (const [path, value] of identifiers) {
    if (value !== null) checkText(errors, path, value, MAX_IDENTIFIER_LENGTH);
  }
  if (event.keyword !== null) checkText(errors, "keyword", event.keyword, MAX_KEYWORD_LENGTH);
  if (event.channel !== null) checkText(errors, "channel", event.channel, MAX_IDENTIFIER_LENGTH);

  if (event.revenue !== null) {
    if (event.revenue > config.maxRevenue) {
      errors.push({ path: "revenue", message: `exceeds the sanity limit of ${config.maxRevenue}` });
    }
    if (event.currency === null) {
      errors.push({ path: "currency", message: "is required when revenue is present" });
    }
  }
  if (event.currency !== null && !CURRENCY.test(event.currency)) {
    errors.push({ path: "currency", message: "must be an ISO-4217 code such as USD" });
  }

  const depth = nestingDepth(event.properties, config.maxPropertiesDepth + 1);
  if (depth > config.maxPropertiesDepth) {
    errors.push({ path: "properties", message: `nests deeper than ${config.maxPropertiesDepth} levels` });
  }
  return errors;
}

function checkText(errors: FieldError[], path: string, value: string, maxLength: number): void {
  if (value.length > maxLength) errors.push({ path, message: `must be at most ${maxLength} characters` });
  else if (CONTROL_CHARS.test(value)) errors.push({ path, message: "must not contain control characters" });
}

/** Depth of nested objects/arrays, iteratively and stopping at `limit` so hostile input is cheap. */
function nestingDepth(root: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value !== "object" || value === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest >= limit) return deepest;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function formatAge(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
