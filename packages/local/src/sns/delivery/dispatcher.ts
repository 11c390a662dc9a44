import { firstLine, messageFor, type Notification } from "../notification.ts";
import type { SubscriptionRecord, TopicRecord } from "../store.ts";
import { httpDelivery } from "./envelope.ts";
import { postOnce } from "./http-post.ts";
import { isRetryable, retryDelay, sleep, type ResolvedRetryOptions } from "./retry.ts";
import { Sink } from "./sink.ts";

export type LogLine = (line: string) => void;

/**
 * Fans accepted messages out: to the topic's sink file (before Publish answers), to `log`
 * subscriptions (at once), and to HTTP/S webhooks in the background with retries. Nothing a
 * subscriber does (refuse, hang, fail) reaches the endpoint: failures end as a log line.
 */
export class Dispatcher {
  private readonly sink: Sink;
  private readonly log: LogLine;
  private readonly retry: ResolvedRetryOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(options: { dir: string; log: LogLine; retry: ResolvedRetryOptions }) {
    this.sink = new Sink(options.dir);
    this.log = options.log;
    this.retry = options.retry;
  }

  async dispatch(topic: TopicRecord, notifications: readonly Notification[], subscriptions: readonly SubscriptionRecord[], baseUrl: string): Promise<void> {
    if (notifications.length === 0) return;
    await this.sink.append(topic.name, notifications);
    for (const sub of subscriptions) {
      if (sub.pendingConfirmation) continue;
      for (const n of notifications) {
        if (sub.protocol === "log") this.write(logLine(topic, sub, n));
        else if (sub.protocol === "http" || sub.protocol === "https") this.track(this.deliver(topic, sub, n, baseUrl));
      }
    }
  }

  /** Resolves when every webhook delivery started so far has succeeded or been given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Abandons pending retries (each is logged) and waits for attempts in progress to end. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }

  private track(delivery: Promise<void>): void {
    const tracked = delivery.catch((error: unknown) => this.write(`[sns] delivery failed unexpectedly: ${String(error)}`));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async deliver(topic: TopicRecord, sub: SubscriptionRecord, n: Notification, baseUrl: string): Promise<void> {
    const { headers, body } = httpDelivery(n, sub, baseUrl, topic.attributes.SignatureVersion ?? "1");
    const url = new URL(sub.endpoint);
    const signal = this.shutdown.signal;
    let reason = "";
    let attempts = 0;
    for (let retry = 0; retry <= this.retry.retries; retry++) {
      if (retry > 0 && !(await sleep(retryDelay(this.retry, retry), signal))) {
        reason = `abandoned at shutdown (last: ${reason})`;
        break;
      }
      attempts += 1;
      const outcome = await postOnce(url, headers, body, this.retry.timeoutMs, signal);
      const status = "status" in outcome ? outcome.status : undefined;
      if (status !== undefined && status >= 200 && status < 300) return;
      reason = status !== undefined ? `HTTP ${status}` : (outcome as { error: string }).error;
      if (signal.aborted) {
        reason = `abandoned at shutdown (last: ${reason})`;
        break;
      }
      if (!isRetryable(status)) break;
    }
    this.write(
      `[sns ${topic.name}] delivery of message ${n.messageId} to ${sub.endpoint} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`,
    );
  }

  private write(line: string): void {
    try {
      this.log(line);
    } catch {
      // A broken logger must not turn a delivery into a failed Publish.
    }
  }
}

/** The one-line summary a `log` subscription prints: topic, subject, first line of the message. */
export function logLine(topic: TopicRecord, sub: SubscriptionRecord, n: Notification): string {
  const label = sub.endpoint ? ` → ${sub.endpoint}` : "";
  const subject = n.subject ? `${n.subject} — ` : "";
  return `[sns ${topic.name}${label}] ${subject}${firstLine(messageFor(n, "log"))} (message ${n.messageId})`;
}
