import type { EndpointResponse } from "../../endpoint/service.ts";
import { checksumHeaderName, computeChecksum, parseAlgorithm, type StoredChecksum } from "../checksums.ts";
import { checkReadConditions, checkWriteConditions } from "../conditions.ts";
import type { S3Call, S3Context } from "../context.ts";
import { S3Error } from "../errors.ts";
import { headerValue, isoDate, requestIdHeaders, xmlResponse } from "../http.ts";
import { receiveBody } from "../object-body.ts";
import { contentHeadersOf, storageClassOf, userMetadataOf } from "../object-headers.ts";
import { etagOf } from "../store/object-meta.ts";
import { xmlDocument, xmlElement } from "../xml.ts";

export async function putObject(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const { headers } = call.req;
  const bucket = await ctx.store.bucket(call.bucket);
  const content = contentHeadersOf(headers);
  const userMetadata = userMetadataOf(headers);
  const storageClass = storageClassOf(headers);
  const body = receiveBody(headers, call.req.body);
  const meta = await bucket.put(
    call.key,
    body.data,
    { ...content, size: body.data.length, md5: body.md5, checksum: body.checksum, storageClass, userMetadata },
    (existing) => checkWriteConditions(headers, call.key, existing),
  );
  ctx.objectCreated(call.bucket, meta);
  return {
    status: 200,
    headers: { ...requestIdHeaders(), etag: etagOf(meta), ...checksumHeaders(meta.checksum) },
  };
}

/**
 * CopyObject: `x-amz-copy-source` (`/bucket/key` or `bucket/key`, URL-encoded), metadata copied
 * or replaced per `x-amz-metadata-directive`, `x-amz-copy-source-if-*` preconditions, and the
 * source's checksum kept unless `x-amz-checksum-algorithm` asks for another.
 */
export async function copyObject(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const { headers } = call.req;
  const source = parseCopySource(headerValue(headers, "x-amz-copy-source") ?? "");
  const directive = (headerValue(headers, "x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error("InvalidArgument", { message: "Unknown metadata directive.", details: { ArgumentName: "x-amz-metadata-directive" } });
  }
  const storageClass = storageClassOf(headers);
  const requestedAlgorithm = headerValue(headers, "x-amz-checksum-algorithm");
  const algorithm = requestedAlgorithm === undefined ? undefined : parseAlgorithm(requestedAlgorithm);
  if (requestedAlgorithm !== undefined && !algorithm) {
    throw new S3Error("InvalidRequest", { message: "Value for x-amz-checksum-algorithm header is invalid." });
  }
  const sameObject = source.bucket === call.bucket && source.key === call.key;
  if (sameObject && directive === "COPY" && headerValue(headers, "x-amz-storage-class") === undefined && !algorithm) {
    throw new S3Error("InvalidRequest", {
      message:
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    });
  }

  const from = await ctx.store.bucket(source.bucket);
  const target = await ctx.store.bucket(call.bucket);
  const { meta: original, handle } = await from.open(source.key).catch((error: unknown) => {
    throw error instanceof S3Error && error.code === "NoSuchKey"
      ? new S3Error("NoSuchKey", { details: { Key: source.key } })
      : error;
  });
  let data: Buffer;
  try {
    checkReadConditions(headers, original, "x-amz-copy-source-");
    data = await handle.readFile();
  } finally {
    await handle.close();
  }
  const checksum: StoredChecksum | undefined =
    algorithm && algorithm !== original.checksum?.algorithm ? computeChecksum(algorithm, data) : original.checksum;
  const described =
    directive === "REPLACE"
      ? { ...contentHeadersOf(headers), userMetadata: userMetadataOf(headers) }
      : {
          contentType: original.contentType,
          contentEncoding: original.contentEncoding,
          contentDisposition: original.contentDisposition,
          contentLanguage: original.contentLanguage,
          cacheControl: original.cacheControl,
          expires: original.expires,
          userMetadata: original.userMetadata,
        };
  const meta = await target.put(call.key, data, { ...described, size: data.length, md5: original.md5, checksum, storageClass });
  ctx.objectCreated(call.bucket, meta);
  const checksumXml = meta.checksum ? xmlElement(`Checksum${meta.checksum.algorithm}`, meta.checksum.value) : "";
  const result = xmlDocument(
    "CopyObjectResult",
    xmlElement("ETag", etagOf(meta)) +
      xmlElement("LastModified", isoDate(meta.lastModified)) +
      (meta.checksum ? xmlElement("ChecksumType", "FULL_OBJECT") : "") +
      checksumXml,
  );
  return xmlResponse(200, result);
}

/** DeleteObject: 204 whether or not the key existed, as S3 answers. */
export async function deleteObject(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const bucket = await ctx.store.bucket(call.bucket);
  await bucket.delete(call.key);
  return { status: 204, headers: requestIdHeaders() };
}

function checksumHeaders(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [checksumHeaderName(checksum.algorithm)]: checksum.value, "x-amz-checksum-type": "FULL_OBJECT" };
}

function parseCopySource(value: string): { bucket: string; key: string } {
  const invalid = () =>
    new S3Error("InvalidArgument", { message: "Invalid copy source object key", details: { ArgumentName: "x-amz-copy-source" } });
  const [path = ""] = value.split("?", 1);
  const trimmed = path.startsWith("/") ? path.slice(1) : path;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) throw invalid();
  try {
    return { bucket: decodeURIComponent(trimmed.slice(0, slash)), key: decodeURIComponent(trimmed.slice(slash + 1)) };
  } catch {
    throw invalid();
  }
}
