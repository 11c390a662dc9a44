import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { SinkRecord } from "./delivery/sink.ts";
import { AlertQueryError } from "./errors.ts";
import { firstLine } from "./notification.ts";

/** A message from a topic's sink file, with the topic's name. */
export interface Alert extends SinkRecord {
  readonly topic: string;
}

export interface AlertQuery {
  /** Topic names or ARNs; a name also matches a prefixed local name (`OpsAlerts` ↔ `freshet-local-OpsAlerts`). */
  readonly topics?: readonly string[];
  /** Only messages published at or after this time. */
  readonly since?: Date;
}

export interface AlertReading {
  /** Oldest first. */
  readonly alerts: Alert[];
  /** Lines that are not sink records (a line cut short by a crash, a hand edit): skipped, counted. */
  readonly unreadableLines: number;
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Reads the sink files in `snsDir` (`<dataDir>/sns/*.ndjson`). A missing folder means no
 * alerts yet. Files are streamed line by line, so a long history costs no more memory than the
 * alerts that pass the filters.
 */
export async function readAlerts(snsDir: string, query: AlertQuery = {}): Promise<AlertReading> {
  let files: string[];
  try {
    files = (await readdir(snsDir)).filter((f) => f.endsWith(".ndjson")).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { alerts: [], unreadableLines: 0 };
    throw error;
  }
  const alerts: Alert[] = [];
  let unreadableLines = 0;
  const since = query.since?.getTime();
  for (const file of files) {
    const topic = file.slice(0, -".ndjson".length);
    if (query.topics && !query.topics.some((filter) => topicMatches(filter, topic))) continue;
    const lines = createInterface({ input: createReadStream(`${snsDir}/${file}`, "utf8"), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      const record = parseRecord(line);
      if (!record) {
        unreadableLines += 1;
        continue;
      }
      if (since !== undefined && Date.parse(record.timestamp) < since) continue;
      alerts.push({ ...record, topic });
    }
  }
  alerts.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  return { alerts, unreadableLines };
}

export function topicMatches(filter: string, topic: string): boolean {
  if (filter.startsWith("arn:")) return filter.endsWith(`:${topic}`);
  return filter === topic || topic.endsWith(`-${filter}`);
}

/** `--since`: an ISO 8601 time (`2026-11-26T08:00:00Z`, `2026-11-26`) or a duration back from `now` (`90s`, `15m`, `2h`, `7d`). */
export function parseSince(text: string, now: number): Date {
  const duration = DURATION.exec(text);
  if (duration) return new Date(now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new AlertQueryError(`--since takes an ISO time (2026-11-26T08:00:00Z) or a duration (30s, 15m, 2h, 7d), not "${text}"`);
  }
  return new Date(time);
}

/** One aligned line per alert: time, topic, subject (`-` if none), first line of the message. */
export function formatAlerts(alerts: readonly Alert[]): string[] {
  const topicWidth = Math.max(0, ...alerts.map((a) => a.topic.length));
  const subjectWidth = Math.min(40, Math.max(1, ...alerts.map((a) => (a.subject ?? "-").length)));
  return alerts.map(
    (a) => `${a.timestamp}  ${a.topic.padEnd(topicWidth)}  ${(a.subject ?? "-").padEnd(subjectWidth)}  ${firstLine(a.message)}`,
  );
}

function parseRecord(line: string): SinkRecord | undefined {
  try {
    const value = JSON.parse(line) as Partial<SinkRecord>;
    const ok =
      typeof value === "object" &&
      value !== null &&
      typeof value.messageId === "string" &&
      typeof value.topicArn === "string" &&
      typeof value.message === "string" &&
      typeof value.timestamp === "string" &&
      !Number.isNaN(Date.parse(value.timestamp)) &&
      (value.subject === null || typeof value.subject === "string");
    return ok ? { ...(value as SinkRecord), attributes: value.attributes ?? {} } : undefined;
  } catch {
    return undefined;
  }
}
