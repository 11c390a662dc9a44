import { invalidParameterValue, missingParameter } from "./errors.ts";
import type { QueryNode } from "./query.ts";

/** One message attribute as SNS keeps it: a data type and a string or binary value. */
export interface MessageAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryValue?: Buffer;
}

export type MessageAttributes = ReadonlyMap<string, MessageAttribute>;

/** The form deliveries carry (`"MessageAttributes": { "n": { "Type": "String", "Value": "v" } }`); binary as base64. */
export type DeliveredAttributes = Record<string, { Type: string; Value: string }>;

const NAME_CHARS = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Reads and validates `<prefix>.entry.N.Name` / `.Value.DataType|StringValue|BinaryValue`, with
 * AWS's rules and wording (`ParameterValueInvalid`). `member` locates the map in validation
 * messages (`messageAttributes`, or `publishBatchRequestEntries.2.member.messageAttributes`).
 */
export function readMessageAttributes(params: QueryNode, member = "messageAttributes"): Map<string, MessageAttribute> {
  const attributes = new Map<string, MessageAttribute>();
  for (const entry of params.indexed("MessageAttributes", "entry")) {
    const name = entry.string("Name") ?? "";
    checkName(name);
    const value = entry.child("Value");
    const dataType = value?.string("DataType");
    if (dataType === undefined) throw missingParameter(`${member}.${name}.member.dataType`);
    attributes.set(name, checkValue(name, dataType, value?.string("StringValue"), value?.string("BinaryValue")));
  }
  return attributes;
}

function checkName(name: string): void {
  if (Buffer.byteLength(name) > 256) throw invalidParameterValue("Length of message attribute name must be less than 256 bytes.");
  if (name.startsWith(".")) throw invalidParameterValue("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith(".")) throw invalidParameterValue("Invalid message attribute name ending with character '.' was found.");
  if (!NAME_CHARS.test(name)) {
    const bad = [...name].find((c) => !NAME_CHARS.test(c)) ?? "";
    const hex = `#x${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
    throw invalidParameterValue(
      `Invalid non-alphanumeric character '${hex}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
    );
  }
  if (name.includes("..")) throw invalidParameterValue("Message attribute name can not have successive '.' character.");
  if (/^(aws|amazon)\./i.test(name)) {
    throw invalidParameterValue(`The message attribute name '${name}' uses a prefix reserved for AWS (AWS. or Amazon.).`);
  }
}

function checkValue(name: string, dataType: string, stringValue: string | undefined, binaryValue: string | undefined): MessageAttribute {
  if (!DATA_TYPE.test(dataType) || Buffer.byteLength(dataType) > 256) {
    throw invalidParameterValue(
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  const empty = () =>
    invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
  if (stringValue === undefined && binaryValue === undefined) throw empty();
  const binary = dataType.startsWith("Binary");
  const field = binary ? "Binary" : "String";
  if ((binary ? binaryValue : stringValue) === undefined) {
    throw invalidParameterValue(`The message attribute '${name}' with type '${dataType}' must use field '${field}'.`);
  }
  if (binary) {
    const bytes = Buffer.from(binaryValue!, "base64");
    if (bytes.length === 0) throw empty();
    return { dataType, binaryValue: bytes };
  }
  if (stringValue === "") throw empty();
  if (dataType.startsWith("Number") && !NUMBER.test(stringValue!)) {
    throw invalidParameterValue(`The message attribute '${name}' with type '${dataType}' has a value that is not a number: '${stringValue}'.`);
  }
  if (dataType === "String.Array" && !isStringArray(stringValue!)) {
    throw invalidParameterValue(
      `The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, booleans or nulls.`,
    );
  }
  return { dataType, stringValue: stringValue! };
}

function isStringArray(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v));
  } catch {
    return false;
  }
}

/** What the attributes weigh against the 256 KB limit: every name, data type and value, in bytes. */
export function attributesSize(attributes: MessageAttributes): number {
  let size = 0;
  for (const [name, a] of attributes) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.dataType);
    size += a.binaryValue ? a.binaryValue.length : Buffer.byteLength(a.stringValue ?? "");
  }
  return size;
}

export function deliveredAttributes(attributes: MessageAttributes): DeliveredAttributes {
  const out: DeliveredAttributes = {};
  for (const [name, a] of attributes) {
    out[name] = { Type: a.dataType, Value: a.binaryValue ? a.binaryValue.toString("base64") : (a.stringValue ?? "") };
  }
  return out;
}
