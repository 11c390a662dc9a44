import { NormalizedSchema } from "@smithy/core/schema";
import { ArgumentShapeError } from "../errors.ts";

/**
 * Between Step Functions' view of an API and the SDK v3 client's, driven by the operation's
 * Smithy schema (the same one the client serializes with): arguments are PascalCase in ASL
 * whatever the API's own casing (`StateMachineArn` for Step Functions' `stateMachineArn`), a JSON
 * value given for a string member is sent as its JSON text, and results come back PascalCase with
 * blobs and streams as text and timestamps as ISO strings. Map keys are data and are left alone.
 */
export function operationSchemas(command: object): { input: NormalizedSchema; output: NormalizedSchema } {
  const schema = (command as { schema?: unknown }).schema;
  if (!Array.isArray(schema) || schema[0] !== 9) throw new ArgumentShapeError("The SDK command carries no operation schema");
  return { input: NormalizedSchema.of(schema[4]), output: NormalizedSchema.of(schema[5]) };
}

export function toSdkInput(value: unknown, schema: NormalizedSchema, path = "Arguments"): unknown {
  if (value === null || value === undefined) return value;
  if (schema.isStructSchema()) {
    if (typeof value !== "object" || Array.isArray(value)) throw new ArgumentShapeError(`${path} must be an object`);
    const members = new Map<string, [string, NormalizedSchema]>();
    for (const [name, member] of schema.structIterator()) members.set(name.toLowerCase(), [name, member]);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const member = members.get(key.toLowerCase());
      if (!member) throw new ArgumentShapeError(`The field '${key}' is not supported by Step Functions (at ${path})`);
      out[member[0]] = toSdkInput(item, member[1], `${path}.${key}`);
    }
    return out;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) throw new ArgumentShapeError(`${path} must be an array`);
    return value.map((item, i) => toSdkInput(item, schema.getValueSchema(), `${path}[${i}]`));
  }
  if (schema.isMapSchema()) {
    if (typeof value !== "object" || Array.isArray(value)) throw new ArgumentShapeError(`${path} must be an object`);
    const valueSchema = schema.getValueSchema();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSdkInput(v, valueSchema, `${path}.${k}`)]));
  }
  if (schema.isStringSchema() && typeof value !== "string") return JSON.stringify(value);
  if (schema.isBlobSchema()) return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
  if (schema.isTimestampSchema() && (typeof value === "string" || typeof value === "number")) return new Date(value);
  return value;
}

/** The SDK's output as a Task result: `$metadata` dropped, members PascalCase, streams read. */
export async function fromSdkOutput(output: Record<string, unknown>, schema: NormalizedSchema): Promise<unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output)) {
    if (key === "$metadata") continue;
    resolved[key] = isStream(value) ? await value.transformToString() : value;
  }
  return convertOutput(resolved, schema);
}

function convertOutput(value: unknown, schema: NormalizedSchema): unknown {
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (schema.isStructSchema() && typeof value === "object" && !Array.isArray(value)) {
    const members = schema.getMemberSchemas();
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const member = members[key];
      out[pascal(key)] = member ? convertOutput(item, member) : plain(item);
    }
    return out;
  }
  if (schema.isListSchema() && Array.isArray(value)) return value.map((item) => convertOutput(item, schema.getValueSchema()));
  if (schema.isMapSchema() && typeof value === "object") {
    const valueSchema = schema.getValueSchema();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertOutput(v, valueSchema)]));
  }
  return plain(value);
}

/** Values outside the schema (documents, unknown members) made JSON-safe. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function pascal(key: string): string {
  return key.length === 0 ? key : key.charAt(0).toUpperCase() + key.slice(1);
}

function isStream(value: unknown): value is { transformToString(): Promise<string> } {
  return typeof value === "object" && value !== null && typeof (value as { transformToString?: unknown }).transformToString === "function";
}
