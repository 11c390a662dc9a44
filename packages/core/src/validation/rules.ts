import type { PipelineConfig } from "../config.ts";
import type { CanonicalEvent } from "../events/canonical.ts";
import type { FieldError } from "./outcome.ts";

/** Event types name metrics and dashboards: a conservative alphabet keeps them safe everywhere. */
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
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

  // Field by field rather than over a table: this runs for every event of every batch.
  checkText(errors, "user_id", event.userId, MAX_IDENTIFIER_LENGTH);
  checkText(errors, "account_id", event.accountId, MAX_IDENTIFIER_LENGTH);
  if (event.campaignId !== null) checkText(errors, "campaign_id", event.campaignId, MAX_IDENTIFIER_LENGTH);
  if (event.adGroupId !== null) checkText(errors, "ad_group_id", event.adGroupId, MAX_IDENTIFIER_LENGTH);
  if (event.adId !== null) checkText(errors, "ad_id", event.adId, MAX_IDENTIFIER_LENGTH);
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
  else if (hasControlChar(value)) errors.push({ path, message: "must not contain control characters" });
}

/** `/[\u0000-\u001f\u007f]/.test(value)`, by char code: for these short fields a regex costs more than the scan. */
function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Depth of nested objects/arrays, counting no further than `limit`: values below that level are
 * never read, so hostile nesting stays cheap and the recursion stays shallow. Walks the values
 * `Object.values` would list (own enumerable string keys) without building that array per level.
 */
function nestingDepth(value: unknown, limit: number): number {
  if (typeof value !== "object" || value === null) return 0;
  if (limit <= 1) return 1;
  let deepest = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && deepest < limit - 1; i++) deepest = Math.max(deepest, nestingDepth(value[i], limit - 1));
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      deepest = Math.max(deepest, nestingDepth(record[key], limit - 1));
      if (deepest >= limit - 1) break;
    }
  }
  return deepest + 1;
}

function formatAge(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
