import { KinesisApiError } from "./errors.ts";

/** A parsed AWS JSON request body. */
export type JsonObject = Record<string, unknown>;

export const STREAM_NAME_PATTERN = "[a-zA-Z0-9_.-]+";
const STREAM_NAME = /^[a-zA-Z0-9_.-]+$/;

/** A member whose JSON type is wrong: AWS answers these with `SerializationException`. */
function serializationError(message: string): KinesisApiError {
  return new KinesisApiError("SerializationException", message);
}

export function optionalString(input: JsonObject, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw serializationError(`${key} must be a string`);
  return value;
}

export function optionalInteger(input: JsonObject, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw serializationError(`${key} must be a number`);
  return Math.trunc(value);
}

export function optionalNumber(input: JsonObject, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw serializationError(`${key} must be a number`);
  return value;
}

export function optionalObject(input: JsonObject, key: string): JsonObject | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw serializationError(`${key} must be a structure`);
  return value as JsonObject;
}

export function optionalArray(input: JsonObject, key: string): unknown[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serializationError(`${key} must be a list`);
  return value;
}

/** Decoded size of a base64 string, or undefined when it is not canonical base64. */
export function base64Size(text: string): number | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * Collects constraint violations and reports them the way AWS's request validation does:
 * `ValidationException: 2 validation errors detected: Value 'x' at 'streamName' failed to
 * satisfy constraint: Member must …; …`.
 */
export class Violations {
  readonly #messages: string[] = [];

  check(ok: boolean, path: string, constraint: string, value?: string | number): void {
    if (ok || this.#messages.length >= 10) return;
    const shown = value === undefined ? "Value" : `Value '${value}'`;
    this.#messages.push(`${shown} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  }

  required(value: unknown, path: string): void {
    this.check(value !== undefined, path, "not be null");
  }

  streamName(name: string | undefined, path = "streamName"): void {
    if (name === undefined) return;
    this.check(name.length >= 1, path, "have length greater than or equal to 1", name);
    this.check(name.length <= 128, path, "have length less than or equal to 128", name);
    this.check(STREAM_NAME.test(name) || name.length === 0, path, `satisfy regular expression pattern: ${STREAM_NAME_PATTERN}`, name);
  }

  range(value: number | undefined, path: string, min: number, max: number): void {
    if (value === undefined) return;
    this.check(value >= min, path, `have value greater than or equal to ${min}`, value);
    this.check(value <= max, path, `have value less than or equal to ${max}`, value);
  }

  oneOf(value: string | undefined, path: string, allowed: readonly string[]): void {
    if (value === undefined) return;
    this.check(allowed.includes(value), path, `satisfy enum value set: [${allowed.join(", ")}]`, value);
  }

  throwIfAny(): void {
    const count = this.#messages.length;
    if (count === 0) return;
    const detected = `${count} validation error${count > 1 ? "s" : ""} detected: `;
    throw new KinesisApiError("ValidationException", detected + this.#messages.join("; "));
  }
}
