import { randomUUID } from "node:crypto";

/** An event as EventBridge delivers it to targets and matches it against patterns. */
export interface EventEnvelope {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second, as AWS writes it: `2026-11-26T10:00:00Z`. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export function eventTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function envelope(fields: {
  source: string;
  detailType: string;
  detail: unknown;
  account: string;
  region: string;
  time: number;
  resources?: readonly string[];
  id?: string;
}): EventEnvelope {
  return {
    version: "0",
    id: fields.id ?? randomUUID(),
    "detail-type": fields.detailType,
    source: fields.source,
    account: fields.account,
    time: eventTime(fields.time),
    region: fields.region,
    resources: fields.resources ?? [],
    detail: fields.detail,
  };
}

/** The event a schedule rule sends its targets (`source: aws.events`, `detail-type: Scheduled Event`). */
export function scheduledEvent(ruleArn: string, fireTime: number, account: string, region: string): EventEnvelope {
  return envelope({ source: "aws.events", detailType: "Scheduled Event", detail: {}, account, region, time: fireTime, resources: [ruleArn] });
}

export interface ObjectCreatedNotice {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly sequencer: string;
  /** Who wrote the object (an account id or principal); default the account. */
  readonly requester?: string;
  readonly sourceIp?: string;
  /** `PutObject`, `CopyObject`, `CompleteMultipartUpload`; default PutObject. */
  readonly reason?: string;
}

/**
 * The "Object Created" event S3 sends to EventBridge for a bucket with EventBridge notifications
 * on (shape of the S3 user guide's "EventBridge event message structure").
 */
export function s3ObjectCreatedEvent(e: ObjectCreatedNotice, region: string, account: string, time = Date.now()): EventEnvelope {
  return envelope({
    source: "aws.s3",
    detailType: "Object Created",
    account,
    region,
    time,
    resources: [`arn:aws:s3:::${e.bucket}`],
    detail: {
      version: "0",
      bucket: { name: e.bucket },
      object: { key: e.key, size: e.size, etag: e.etag, sequencer: e.sequencer },
      "request-id": randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase(),
      requester: e.requester ?? account,
      "source-ip-address": e.sourceIp ?? "127.0.0.1",
      reason: e.reason ?? "PutObject",
    },
  });
}
