import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SnsStorageError } from "./errors.ts";

export interface TopicRecord {
  readonly name: string;
  readonly arn: string;
  /** The attributes a client set (CreateTopic/SetTopicAttributes); computed ones are added on read. */
  readonly attributes: Record<string, string>;
  readonly tags: Record<string, string>;
  subscriptionsDeleted: number;
}

/** Local protocols: `http`/`https` (loopback webhooks), `log` (the process log), `email`/`email-json` (pending forever). */
export type SubscriptionProtocol = "http" | "https" | "log" | "email" | "email-json";

export interface SubscriptionRecord {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
  readonly owner: string;
  readonly attributes: Record<string, string>;
  /** Email subscriptions wait for a confirmation that never comes locally; nothing is delivered to them. */
  readonly pendingConfirmation: boolean;
}

interface StateFile {
  readonly version: 1;
  readonly topics: TopicRecord[];
  readonly subscriptions: SubscriptionRecord[];
}

/**
 * Topics and subscriptions of one account and region, kept in `<dir>/state.json` (rewritten
 * atomically after every change, so a restart with the same data directory finds them again).
 */
export class TopicStore {
  readonly dir: string;
  private readonly file: string;
  private readonly topics = new Map<string, TopicRecord>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();

  private constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, "state.json");
  }

  static open(dir: string): TopicStore {
    const store = new TopicStore(dir);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new SnsStorageError("Cannot create the SNS data folder", dir, { cause: error });
    }
    let text: string;
    try {
      text = readFileSync(store.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return store;
      throw new SnsStorageError("Cannot read the SNS state", store.file, { cause: error });
    }
    let state: StateFile;
    try {
      state = JSON.parse(text) as StateFile;
      if (state.version !== 1 || !Array.isArray(state.topics) || !Array.isArray(state.subscriptions)) throw new TypeError("unknown layout");
    } catch (error) {
      throw new SnsStorageError("The SNS state is not a state file this service wrote", store.file, { cause: error });
    }
    for (const topic of state.topics) store.topics.set(topic.arn, topic);
    for (const sub of state.subscriptions) store.subscriptions.set(sub.arn, sub);
    return store;
  }

  topic(arn: string): TopicRecord | undefined {
    return this.topics.get(arn);
  }

  /** Topics in ARN order, the order ListTopics pages through. */
  allTopics(): TopicRecord[] {
    return [...this.topics.values()].sort((a, b) => compare(a.arn, b.arn));
  }

  putTopic(topic: TopicRecord): void {
    this.topics.set(topic.arn, topic);
    this.save();
  }

  /** Removes the topic and its subscriptions; true if it existed. */
  deleteTopic(arn: string): boolean {
    const existed = this.topics.delete(arn);
    for (const sub of this.subscriptions.values()) if (sub.topicArn === arn) this.subscriptions.delete(sub.arn);
    if (existed) this.save();
    return existed;
  }

  subscription(arn: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(arn);
  }

  /** Subscriptions in ARN order, optionally of one topic. */
  allSubscriptions(topicArn?: string): SubscriptionRecord[] {
    const all = [...this.subscriptions.values()].filter((s) => topicArn === undefined || s.topicArn === topicArn);
    return all.sort((a, b) => compare(a.arn, b.arn));
  }

  putSubscription(sub: SubscriptionRecord): void {
    this.subscriptions.set(sub.arn, sub);
    this.save();
  }

  deleteSubscription(arn: string): SubscriptionRecord | undefined {
    const sub = this.subscriptions.get(arn);
    if (!sub) return undefined;
    this.subscriptions.delete(arn);
    const topic = this.topics.get(sub.topicArn);
    if (topic) topic.subscriptionsDeleted += 1;
    this.save();
    return sub;
  }

  /** Persists after an in-place change (attributes, tags). */
  save(): void {
    const state: StateFile = { version: 1, topics: [...this.topics.values()], subscriptions: [...this.subscriptions.values()] };
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(state, null, 2));
      renameSync(tmp, this.file);
    } catch (error) {
      throw new SnsStorageError("Cannot write the SNS state", this.file, { cause: error });
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
