import type { EndpointResponse } from "../endpoint/service.ts";
import type { S3Call, S3Context } from "./context.ts";
import { S3Error } from "./errors.ts";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./operations/buckets.ts";
import { deleteObjects } from "./operations/delete-objects.ts";
import { listObjectsV1, listObjectsV2 } from "./operations/list-objects.ts";
import { getObject, headObject } from "./operations/read-object.ts";
import { copyObject, deleteObject, putObject } from "./operations/write-object.ts";

type Operation = (ctx: S3Context, call: S3Call) => Promise<EndpointResponse>;

// Query parameters that turn a request into another S3 API (GET /b?versioning is not a listing).
const SUBRESOURCES = new Set([
  "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
  "inventory", "legal-hold", "lifecycle", "location", "logging", "metadataConfiguration", "metrics",
  "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus",
  "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select", "session",
  "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website",
]);

const MAX_KEY_BYTES = 1024;

/** Picks the operation for a path-style request, or throws the error S3 would answer. */
export function selectOperation(call: S3Call): Operation {
  const { method, query } = call.req;
  const subresource = [...query.keys()].find((name) => SUBRESOURCES.has(name));
  const unsupported = (): never => {
    throw new S3Error("NotImplemented", {
      message: `The embedded S3 does not implement ${method} ${subresource ? `?${subresource}` : "on this resource"}`,
    });
  };

  if (call.bucket === "") {
    if (method === "GET") return listBuckets;
    throw new S3Error("MethodNotAllowed");
  }

  if (call.key === "") {
    switch (method) {
      case "PUT":
        return subresource ? unsupported() : createBucket;
      case "HEAD":
        return headBucket;
      case "DELETE":
        return subresource ? unsupported() : deleteBucket;
      case "GET":
        if (subresource === "location") return getBucketLocation;
        if (subresource) return unsupported();
        return query.get("list-type") === "2" ? listObjectsV2 : listObjectsV1;
      case "POST":
        return subresource === "delete" ? deleteObjects : unsupported();
      default:
        throw new S3Error("MethodNotAllowed");
    }
  }

  if (Buffer.byteLength(call.key) > MAX_KEY_BYTES) {
    throw new S3Error("KeyTooLongError", { details: { Size: String(Buffer.byteLength(call.key)), MaxSizeAllowed: "1024" } });
  }
  // GetObject's `partNumber=1` of a single-part object is the whole object.
  if (subresource && !(subresource === "partNumber" && method !== "PUT" && query.get("partNumber") === "1")) {
    return unsupported();
  }
  switch (method) {
    case "PUT":
      return call.req.headers["x-amz-copy-source"] !== undefined ? copyObject : putObject;
    case "GET":
      return getObject;
    case "HEAD":
      return headObject;
    case "DELETE":
      return deleteObject;
    case "POST":
      return unsupported();
    default:
      throw new S3Error("MethodNotAllowed");
  }
}

/** Bucket and key of a path-style path (`/<bucket>/<key>`), percent-decoded. */
export function parsePath(path: string): { bucket: string; key: string } {
  const rest = path.startsWith("/") ? path.slice(1) : path;
  const slash = rest.indexOf("/");
  const rawBucket = slash < 0 ? rest : rest.slice(0, slash);
  const rawKey = slash < 0 ? "" : rest.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
  } catch (error) {
    throw new S3Error("InvalidURI", { cause: error });
  }
}
