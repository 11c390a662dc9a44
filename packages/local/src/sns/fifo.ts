import { createHash } from "node:crypto";

/** SNS FIFO topics drop a message whose deduplication ID was seen in the last five minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

interface Accepted {
  readonly messageId: string;
  readonly sequenceNumber: string;
  readonly at: number;
}

/**
 * Deduplication and sequence numbers of FIFO topics. Sequence numbers grow strictly within a
 * topic (and across restarts, being rooted in the clock): 20 digits, like SNS's.
 */
export class FifoState {
  private readonly seen = new Map<string, Map<string, Accepted>>();
  private lastSequence = 0n;

  /** The message accepted earlier under this deduplication ID, if still inside the window. */
  duplicate(topicArn: string, deduplicationId: string, now: number): Accepted | undefined {
    const topic = this.seen.get(topicArn);
    if (!topic) return undefined;
    for (const [id, accepted] of topic) {
      if (now - accepted.at < DEDUPLICATION_WINDOW_MS) break; // insertion order is time order
      topic.delete(id);
    }
    return topic.get(deduplicationId);
  }

  accept(topicArn: string, deduplicationId: string, messageId: string, now: number): string {
    const sequenceNumber = this.nextSequence(now);
    let topic = this.seen.get(topicArn);
    if (!topic) this.seen.set(topicArn, (topic = new Map()));
    topic.set(deduplicationId, { messageId, sequenceNumber, at: now });
    return sequenceNumber;
  }

  /** Undoes `accept` for a message that was not stored after all, so the client's retry is not taken for a duplicate. */
  release(topicArn: string, deduplicationId: string): void {
    this.seen.get(topicArn)?.delete(deduplicationId);
  }

  forget(topicArn: string): void {
    this.seen.delete(topicArn);
  }

  private nextSequence(now: number): string {
    const fromClock = BigInt(now) * 1_000_000n;
    this.lastSequence = fromClock > this.lastSequence ? fromClock : this.lastSequence + 1n;
    return this.lastSequence.toString().padStart(20, "1");
  }
}

/** The deduplication ID of a topic with ContentBasedDeduplication: SHA-256 of the message body. */
export function contentDeduplicationId(message: string): string {
  return createHash("sha256").update(message, "utf8").digest("hex");
}
