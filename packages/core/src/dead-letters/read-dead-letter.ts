import { isJsonObject } from "../events/fields.ts";
import type { DeadLetter } from "../lake/dead-letter.ts";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "../validation/outcome.ts";
import { InvalidDeadLetterError } from "./errors.ts";

const REASONS: ReadonlySet<string> = new Set(DEAD_LETTER_REASONS);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One line of a dead-letter object (`dlq/…ndjson.gz`, gunzipped) as a `DeadLetter`, checked field
 * by field: what triage reads was written by the transformer, but objects can be truncated or
 * edited, and a line that is not a dead letter must be quarantined as such, not half-read.
 */
export function parseDeadLetter(line: string): DeadLetter {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (cause) {
    throw new InvalidDeadLetterError(`not JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isJsonObject(json)) throw new InvalidDeadLetterError("a dead letter must be a JSON object");
  const { dead_letter_version, reason, message, errors, event_id, original_base64, source } = json;
  if (typeof dead_letter_version !== "number") throw invalid("dead_letter_version", "a number");
  if (typeof reason !== "string" || !REASONS.has(reason)) throw invalid("reason", `one of ${DEAD_LETTER_REASONS.join(", ")}`);
  if (typeof message !== "string") throw invalid("message", "a string");
  if (!Array.isArray(errors) || !errors.every((e) => isJsonObject(e) && typeof e.path === "string" && typeof e.message === "string")) {
    throw invalid("errors", "a list of {path, message}");
  }
  if (event_id !== null && typeof event_id !== "string") throw invalid("event_id", "a string or null");
  if (typeof original_base64 !== "string" || original_base64.length % 4 !== 0 || !BASE64.test(original_base64)) throw invalid("original_base64", "base64");
  if (!isJsonObject(source)) throw invalid("source", "an object");
  for (const field of ["stream_arn", "shard_id", "sequence_number", "partition_key", "approximate_arrival"]) {
    if (typeof source[field] !== "string") throw invalid(`source.${field}`, "a string");
  }
  return json as unknown as DeadLetter & { reason: DeadLetterReason };
}

function invalid(field: string, expected: string): InvalidDeadLetterError {
  return new InvalidDeadLetterError(`dead letter field ${field} must be ${expected}`);
}
