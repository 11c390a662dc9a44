import type { S3Client } from "@aws-sdk/client-s3";
import { TRIAGE_ALERT_STATE_KEY } from "@freshet/core";
import { putJson, readTextIfExists } from "../load/s3-objects.ts";

interface AlertState {
  /** When triage last told OpsAlerts (ISO). */
  readonly lastAlertAt: string;
}

/** Pure: may an alert go out now, given the last one? */
export function outOfCooldown(lastAlertAt: string | undefined, now: Date, cooldownMinutes: number): boolean {
  if (lastAlertAt === undefined) return true;
  const last = Date.parse(lastAlertAt);
  return Number.isNaN(last) || now.getTime() - last >= cooldownMinutes * 60_000;
}

/**
 * Whether an execution whose summary is over the alert threshold tells OpsAlerts. A bad
 * producer's incident makes an execution every debounce interval, each over the threshold: the
 * first alerts, the rest within the cooldown do not (their summaries still say what they did).
 * The time of an alert is recorded before the workflow publishes it, so a retried Summarize
 * cannot alert twice.
 */
export async function alertWithCooldown(s3: S3Client, bucket: string, overThreshold: boolean, now: Date, cooldownMinutes: number): Promise<boolean> {
  if (!overThreshold) return false;
  const text = await readTextIfExists(s3, bucket, TRIAGE_ALERT_STATE_KEY);
  const last = text === undefined ? undefined : (JSON.parse(text) as Partial<AlertState>).lastAlertAt;
  if (!outOfCooldown(typeof last === "string" ? last : undefined, now, cooldownMinutes)) return false;
  const state: AlertState = { lastAlertAt: now.toISOString() };
  await putJson(s3, bucket, TRIAGE_ALERT_STATE_KEY, state);
  return true;
}
