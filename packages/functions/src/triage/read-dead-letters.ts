import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { InvalidDeadLetterError, parseDeadLetter, type DeadLetter } from "@freshet/core";
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

/** Core's `parseDeadLetter` checks every field; a line it refuses is quarantined with its message. */
function parseLine(line: string): DeadLetterLine {
  try {
    return { kind: "letter", letter: parseDeadLetter(line) };
  } catch (error) {
    if (error instanceof InvalidDeadLetterError) return { kind: "unreadable", line, why: error.message };
    throw error;
  }
}
