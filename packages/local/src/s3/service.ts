import { join } from "node:path";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import type { ObjectCreatedEvent, S3Call, S3Context } from "./context.ts";
import { S3Error } from "./errors.ts";
import { errorResponse, headerValue } from "./http.ts";
import type { MissingKeys } from "./missing-keys.ts";
import { parsePath, selectOperation } from "./route.ts";
import { S3Store } from "./store/s3-store.ts";

export interface S3ServiceOptions {
  /** The platform's state folder; objects live under `<dataDir>/s3/<bucket>/`. */
  readonly dataDir: string;
  /** The region buckets report and CreateBucket's legacy us-east-1 rule uses (default us-east-1). */
  readonly region?: string;
  /** Called once per object created (PutObject, CopyObject), after it is durable and visible. */
  readonly onObjectCreated?: (event: ObjectCreatedEvent) => void;
  /**
   * How a GET or HEAD of a missing key is answered: 404 NoSuchKey (`not-found`, the default: a
   * caller allowed s3:ListBucket) or 403 AccessDenied (`access-denied`: a caller without it, as
   * AWS answers), for every key or per key (missing-keys.ts).
   */
  readonly missingKeys?: MissingKeys;
}

/**
 * The embedded S3 (REST-XML, path-style `/<bucket>/<key>`). It is the endpoint's fallback: it
 * claims every request that carries neither a JSON-protocol `X-Amz-Target` nor a query-protocol
 * `Action`, so it must be listed after the other services.
 */
/** The S3 service, and the object files in-process readers (the local COPY) may read directly. */
export interface LocalS3Service extends EndpointService {
  /** The file of `s3://bucket/key`, or undefined if the bucket or the object does not exist. */
  objectFile(bucket: string, key: string): Promise<string | undefined>;
}

export function createS3Service(options: S3ServiceOptions): LocalS3Service {
  const region = options.region ?? "us-east-1";
  const store = new S3Store(join(options.dataDir, "s3"), region);
  // S3 sequencers grow per key; a process-wide counter seeded from the clock grows across restarts too.
  let sequence = Date.now() * 1000;
  const ctx: S3Context = {
    store,
    region,
    missingKeys: options.missingKeys ?? "not-found",
    objectCreated(bucket, meta) {
      if (!options.onObjectCreated) return;
      const event: ObjectCreatedEvent = {
        bucket,
        key: meta.key,
        size: meta.size,
        etag: meta.md5,
        sequencer: (sequence++).toString(16).toUpperCase().padStart(16, "0"),
      };
      try {
        options.onObjectCreated(event);
      } catch {
        // The object is stored whatever a listener does; S3 notifications never fail a write.
      }
    },
  };

  return {
    name: "s3",
    async objectFile(bucket, key) {
      try {
        return await (await store.bucket(bucket)).fileOf(key);
      } catch (error) {
        if (error instanceof S3Error && error.code === "NoSuchBucket") return undefined;
        throw error;
      }
    },
    matches: (req) => !isOtherProtocol(req),
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      const resource = req.path;
      try {
        const { bucket, key } = parsePath(req.path);
        const call: S3Call = { req, bucket, key };
        return await selectOperation(call)(ctx, call);
      } catch (error) {
        const s3Error =
          error instanceof S3Error
            ? error
            : new S3Error("InternalError", {
                message: `We encountered an internal error: ${error instanceof Error ? error.message : String(error)}`,
                cause: error,
              });
        return errorResponse(s3Error, resource);
      }
    },
    async close() {
      // Every write is committed before its response is sent; nothing is buffered to flush.
    },
  };
}

/** JSON protocols name their operation in `X-Amz-Target`, query protocols in `Action=`. */
function isOtherProtocol(req: EndpointRequest): boolean {
  if (req.headers["x-amz-target"] !== undefined) return true;
  if (req.query.has("Action")) return true;
  const contentType = headerValue(req.headers, "content-type") ?? "";
  return (
    contentType.startsWith("application/x-www-form-urlencoded") &&
    new URLSearchParams(req.body.toString("latin1")).has("Action")
  );
}
