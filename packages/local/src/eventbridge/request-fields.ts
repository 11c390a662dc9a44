import { EventBridgeApiError } from "./errors.ts";

/** A parsed AWS JSON request body. */
export type JsonObject = Record<string, unknown>;

/** A member of the wrong JSON type: the SDK never sends one, AWS answers `SerializationException`. */
const serialization = (message: string) => new EventBridgeApiError("SerializationException", message);

export function optionalString(input: JsonObject, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw serialization(`${key} must be a string`);
  return value;
}

export function optionalInteger(input: JsonObject, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw serialization(`${key} must be an integer`);
  return value;
}

export function optionalBoolean(input: JsonObject, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw serialization(`${key} must be a boolean`);
  return value;
}

export function optionalArray(input: JsonObject, key: string): unknown[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serialization(`${key} must be a list`);
  return value;
}

export function optionalObject(input: JsonObject, key: string): JsonObject | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw serialization(`${key} must be a structure`);
  return value as JsonObject;
}

/**
 * Constraint violations reported as AWS's request validation does:
 * `1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must …`.
 */
export class Violations {
  readonly #messages: string[] = [];

  check(ok: boolean, path: string, constraint: string, value?: unknown): this {
    if (ok) return this;
    const shown = value === undefined ? "null" : `'${String(value)}'`;
    this.#messages.push(`Value ${shown} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
    return this;
  }

  required(value: unknown, path: string): this {
    return this.check(value !== undefined && value !== null, path, "not be null");
  }

  /** A name: 1–max characters of the given class. */
  name(value: string | undefined, path: string, max: number, pattern = /^[.\-_A-Za-z0-9]+$/, source = "[\\.\\-_A-Za-z0-9]+"): this {
    if (value === undefined) return this;
    this.check(pattern.test(value), path, `satisfy regular expression pattern: ${source}`, value);
    this.check(value.length >= 1, path, "have length greater than or equal to 1", value);
    return this.check(value.length <= max, path, `have length less than or equal to ${max}`, value);
  }

  throwIfAny(): void {
    const n = this.#messages.length;
    if (n === 0) return;
    throw new EventBridgeApiError(
      "ValidationException",
      `${n} validation error${n === 1 ? "" : "s"} detected: ${this.#messages.join("; ")}`,
    );
  }
}
