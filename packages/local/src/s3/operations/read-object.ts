import type { FileHandle } from "node:fs/promises";
import type { EndpointResponse } from "../../endpoint/service.ts";
import { checkReadConditions } from "../conditions.ts";
import type { S3Call, S3Context } from "../context.ts";
import { S3Error } from "../errors.ts";
import { headerValue, httpDate, requestIdHeaders } from "../http.ts";
import { missingKeyError } from "../missing-keys.ts";
import { objectResponseHeaders } from "../object-headers.ts";
import { parseRange } from "../range.ts";
import { etagOf, type ObjectMeta } from "../store/object-meta.ts";

/** Objects up to this size are answered from memory rather than streamed from the file. */
const WHOLE_READ_BYTES = 1024 * 1024;

async function readWhole(handle: FileHandle, size: number): Promise<Buffer> {
  try {
    const data = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(data, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return read === size ? data : data.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/** GetObject: the bytes streamed from the file opened together with their metadata. */
export async function getObject(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const bucket = await ctx.store.bucket(call.bucket);
  const { meta, handle } = await bucket.open(call.key).catch((error: unknown) => {
    throw error instanceof S3Error && error.code === "NoSuchKey" ? missingKeyError(ctx.missingKeys, call.bucket, call.key) : error;
  });
  try {
    const early = preconditions(call, meta);
    if (early) {
      await handle.close();
      return early;
    }
    const range = parseRange(headerValue(call.req.headers, "range"), meta.size);
    const headers = objectResponseHeaders(meta, { withChecksum: checksumWanted(call) && !range, query: call.req.query });
    if (range) {
      const length = range.end - range.start + 1;
      return {
        status: 206,
        headers: {
          ...requestIdHeaders(),
          ...headers,
          "content-range": `bytes ${range.start}-${range.end}/${meta.size}`,
          "content-length": String(length),
        },
        body: handle.createReadStream({ start: range.start, end: range.end }),
      };
    }
    // Small objects (receipts, manifests, batches) are read whole and the handle closed at once:
    // a stream the client never drains would otherwise hold its file open until GC.
    const body = meta.size <= WHOLE_READ_BYTES ? await readWhole(handle, meta.size) : handle.createReadStream();
    return { status: 200, headers: { ...requestIdHeaders(), ...headers, "content-length": String(meta.size) }, body };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** HeadObject: GetObject's headers (a `Range` gives 206 and its `Content-Range`), no body. */
export async function headObject(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const bucket = await ctx.store.bucket(call.bucket);
  const meta = bucket.head(call.key);
  if (!meta) throw missingKeyError(ctx.missingKeys, call.bucket, call.key);
  const early = preconditions(call, meta);
  if (early) return early;
  const range = parseRange(headerValue(call.req.headers, "range"), meta.size);
  const headers = objectResponseHeaders(meta, { withChecksum: checksumWanted(call) && !range, query: call.req.query });
  if (range) {
    return {
      status: 206,
      headers: {
        ...requestIdHeaders(),
        ...headers,
        "content-range": `bytes ${range.start}-${range.end}/${meta.size}`,
        "content-length": String(range.end - range.start + 1),
      },
    };
  }
  return { status: 200, headers: { ...requestIdHeaders(), ...headers, "content-length": String(meta.size) } };
}

function checksumWanted(call: S3Call): boolean {
  return (headerValue(call.req.headers, "x-amz-checksum-mode") ?? "").toUpperCase() === "ENABLED";
}

/** A 304 answer when the client's copy is current; throws 412 when a precondition fails. */
function preconditions(call: S3Call, meta: ObjectMeta): EndpointResponse | undefined {
  if (checkReadConditions(call.req.headers, meta) === "ok") return undefined;
  return {
    status: 304,
    headers: { ...requestIdHeaders(), etag: etagOf(meta), "last-modified": httpDate(meta.lastModified) },
  };
}
