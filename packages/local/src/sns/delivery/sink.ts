import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { SnsStorageError } from "../errors.ts";
import { deliveredAttributes, type DeliveredAttributes } from "../message-attributes.ts";
import { messageFor, type Notification } from "../notification.ts";

/** One line of `<dataDir>/sns/<topicName>.ndjson`: what `freshet alerts` and the console read. */
export interface SinkRecord {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | null;
  /** The message text (with MessageStructure=json: the `sink` entry if present, else `default`). */
  readonly message: string;
  /** Message attributes in the form SNS deliveries carry them (binary values base64). */
  readonly attributes: DeliveredAttributes;
  readonly timestamp: string;
}

export function sinkFile(snsDir: string, topicName: string): string {
  return join(snsDir, `${topicName}.ndjson`);
}

/**
 * Every topic's built-in subscription: appends each message as one JSON line to its topic's file.
 * Appends to one file are chained so concurrent publishes never interleave partial lines.
 */
export class Sink {
  private readonly dir: string;
  private readonly tails = new Map<string, Promise<void>>();
  private ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Resolves once the lines are on disk; the Publish answer waits for it, so an accepted message is never lost. */
  append(topicName: string, notifications: readonly Notification[]): Promise<void> {
    const text = notifications.map((n) => `${JSON.stringify(sinkRecord(n))}\n`).join("");
    const file = sinkFile(this.dir, topicName);
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    const previous = this.tails.get(file) ?? this.ready;
    const next = previous
      .catch(() => undefined)
      .then(() => appendFile(file, text, "utf8"))
      .catch((error: unknown) => {
        throw new SnsStorageError("Cannot append to the topic's sink file", file, { cause: error });
      });
    const tail = next.catch(() => undefined);
    this.tails.set(file, tail);
    void tail.then(() => {
      if (this.tails.get(file) === tail) this.tails.delete(file);
    });
    return next;
  }
}

export function sinkRecord(n: Notification): SinkRecord {
  return {
    messageId: n.messageId,
    topicArn: n.topicArn,
    subject: n.subject ?? null,
    message: messageFor(n, "sink"),
    attributes: deliveredAttributes(n.attributes),
    timestamp: n.timestamp,
  };
}
