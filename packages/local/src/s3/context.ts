import type { EndpointRequest } from "../endpoint/service.ts";
import type { MissingKeys } from "./missing-keys.ts";
import type { S3Store } from "./store/s3-store.ts";
import type { ObjectMeta } from "./store/object-meta.ts";

/** What S3 would put in an `ObjectCreated:*` notification record's `s3.object`. */
export interface ObjectCreatedEvent {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** MD5 hex without quotes, as in S3 event records. */
  readonly etag: string;
  /** Hex string increasing with every event, to order events for one key as S3's does. */
  readonly sequencer: string;
}

/** What every operation needs besides its request. */
export interface S3Context {
  readonly store: S3Store;
  readonly region: string;
  /** How a GET or HEAD of a missing key is answered (see missing-keys.ts). */
  readonly missingKeys: MissingKeys;
  /** Reports a committed PutObject/CopyObject. */
  objectCreated(bucket: string, meta: ObjectMeta): void;
}

/** A request addressed to S3, with the bucket and key taken from its path. */
export interface S3Call {
  readonly req: EndpointRequest;
  /** Empty for service-level requests (ListBuckets). */
  readonly bucket: string;
  /** Empty for bucket-level requests. */
  readonly key: string;
}
