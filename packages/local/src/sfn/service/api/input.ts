import { missingMember, validationError } from "../errors.ts";

export type JsonObject = Readonly<Record<string, unknown>>;

/** A required string member, with AWS's length constraint wording when it is broken. */
export function requireString(input: JsonObject, member: string, max = 2048, min = 1): string {
  const value = input[member];
  if (value === undefined || value === null) throw missingMember(member);
  return checkString(value, member, max, min);
}

export function optionalString(input: JsonObject, member: string, max = 2048, min = 0): string | undefined {
  const value = input[member];
  return value === undefined || value === null ? undefined : checkString(value, member, max, min);
}

function checkString(value: unknown, member: string, max: number, min: number): string {
  if (typeof value !== "string") throw validationError(`Member ${member} must be a string`);
  if (value.length > max || value.length < min) {
    throw validationError(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length ${
        value.length > max ? `less than or equal to ${max}` : `greater than or equal to ${min}`
      }`,
    );
  }
  return value;
}

export function optionalInteger(input: JsonObject, member: string, min: number, max: number): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw validationError(`Member ${member} must be an integer`);
  if (value < min || value > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value ${
        value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`
      }`,
    );
  }
  return value;
}

export function optionalBoolean(input: JsonObject, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw validationError(`Member ${member} must be a boolean`);
  return value;
}

export function optionalObject(input: JsonObject, member: string): JsonObject | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw validationError(`Member ${member} must be a structure`);
  return value as JsonObject;
}

export function optionalEnum<T extends string>(input: JsonObject, member: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
    );
  }
  return value as T;
}

/** UTF-8 size, the unit of Step Functions' 256 KiB payload quota. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

export const PAYLOAD_LIMIT_BYTES = 262_144;
