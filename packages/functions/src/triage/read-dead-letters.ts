import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { DeadLetter } from "@freshet/core";
import { gunzipSync } from "node:zlib";
import { UnreadableDeadLettersError } from "../errors.ts";

/** One line of a dead-letter object: a dead letter, or the reason it is not one. */
export type DeadLetterLine =
  | { readonly kind: "letter"; readonly letter: DeadLetter }
  | { readonly kind: "unreadable"; readonly line: string; readonly why: string };

/** The object's bytes exactly as stored (kept for the quarantine of an unreadable object). */
export async function readObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
}

/**
 * The dead letters of a gzip NDJSON object. An object that is not gzip at all throws
 * `UnreadableDeadLettersError` (it is quarantined whole); a line that is not a dead letter is
 * returned as unreadable, so one bad line does not hide the others.
 */
export function parseDeadLetters(bytes: Uint8Array): DeadLetterLine[] {
  let text: string;
  try {
    text = gunzipSync(bytes).toString("utf8");
  } catch (error) {
    throw new UnreadableDeadLettersError(`not a gzip object: ${(error as Error).message}`, { cause: error });
  }
  return text
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map(parseLine);
}

function parseLine(line: string): DeadLetterLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { kind: "unreadable", line, why: `not JSON: ${(error as Error).message}` };
  }
  const missing = missingFields(value);
  return missing.length === 0 ? { kind: "letter", letter: value as DeadLetter } : { kind: "unreadable", line, why: `not a dead letter: no ${missing.join(", ")}` };
}

function missingFields(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["object"];
  const v = value as Record<string, unknown>;
  const source = v.source as Record<string, unknown> | undefined;
  return [
    typeof v.reason === "string" ? undefined : "reason",
    typeof v.original_base64 === "string" ? undefined : "original_base64",
    Array.isArray(v.errors) ? undefined : "errors",
    typeof source === "object" && source !== null && typeof source.partition_key === "string" ? undefined : "source",
  ].filter((f): f is string => f !== undefined);
}
