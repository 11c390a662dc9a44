import { invalidParameter } from "./errors.ts";
import type { MessageAttributes } from "./message-attributes.ts";

/** A message accepted by a topic, as every subscription kind receives it. */
export interface Notification {
  readonly messageId: string;
  readonly topicArn: string;
  readonly topicName: string;
  readonly subject?: string;
  /** The Message parameter exactly as published. */
  readonly message: string;
  /** With MessageStructure=json: the per-protocol messages (`default` always present). */
  readonly structure?: Readonly<Record<string, string>>;
  readonly attributes: MessageAttributes;
  /** ISO 8601 with milliseconds, UTC: when SNS accepted the message. */
  readonly timestamp: string;
  readonly sequenceNumber?: string;
  readonly messageGroupId?: string;
}

/**
 * The text a subscription of `protocol` receives: with MessageStructure=json, the value under the
 * protocol's key if there is one, else `default` (local kinds use their own names: `log`, `sink`).
 */
export function messageFor(notification: Notification, protocol: string): string {
  const structure = notification.structure;
  if (!structure) return notification.message;
  return structure[protocol] ?? structure.default!;
}

/**
 * Parses a MessageStructure=json message: a JSON object with a string `default`. Keys whose
 * values are not strings are ignored, as SNS does.
 */
export function parseMessageStructure(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter("Message Structure - JSON message body failed to parse");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter("Message Structure - JSON message body failed to parse");
  }
  const structure: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (typeof value === "string") structure[key] = value;
  if (structure.default === undefined) throw invalidParameter("Message Structure - No default entry in JSON message body");
  return structure;
}

/** Subjects: printable ASCII-compatible text, no line breaks or control characters, under 100 characters. */
export function checkSubject(subject: string): void {
  if (subject.length === 0 || subject.length >= 100 || /[\u0000-\u001f\u007f]/.test(subject)) throw invalidParameter("Subject");
}

/** The first line of a message, for one-line summaries (log subscription, `freshet alerts`). */
export function firstLine(text: string, max = 160): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
