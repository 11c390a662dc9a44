import type { EndpointResponse } from "../../endpoint/service.ts";
import type { S3Call, S3Context } from "../context.ts";
import { S3Error } from "../errors.ts";
import { xmlResponse } from "../http.ts";
import { receiveBody } from "../object-body.ts";
import { xmlContainer, xmlDocument, xmlElement } from "../xml.ts";
import { childText, parseXml } from "../xml-parse.ts";

const MAX_KEYS_PER_REQUEST = 1000;

/**
 * DeleteObjects (`POST /<bucket>?delete`): the body must carry `Content-MD5` or a flexible
 * checksum, as S3 requires; each key is deleted (absent keys count as deleted) and reported
 * unless `<Quiet>true</Quiet>`, failures are reported per key.
 */
export async function deleteObjects(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const { headers } = call.req;
  const hasIntegrity = Object.keys(headers).some((h) => h === "content-md5" || /^x-amz-checksum-(?!mode|type|algorithm)/.test(h));
  const sdkAlgorithm = headers["x-amz-sdk-checksum-algorithm"] !== undefined;
  if (!hasIntegrity && !sdkAlgorithm) {
    throw new S3Error("InvalidRequest", { message: "Missing required header for this request: Content-MD5" });
  }
  const body = receiveBody(headers, call.req.body);
  const root = parseXml(body.data.toString("utf8"));
  if (root.name !== "Delete") throw new S3Error("MalformedXML");
  const objects = root.children.filter((c) => c.name === "Object");
  if (objects.length === 0 || objects.length > MAX_KEYS_PER_REQUEST) throw new S3Error("MalformedXML");
  const quiet = childText(root, "Quiet")?.trim().toLowerCase() === "true";

  const bucket = await ctx.store.bucket(call.bucket);
  let results = "";
  for (const object of objects) {
    const key = childText(object, "Key");
    if (key === undefined) throw new S3Error("MalformedXML");
    if (key === "" || Buffer.byteLength(key) > 1024) {
      const code = key === "" ? "InvalidArgument" : "KeyTooLongError";
      results += xmlContainer("Error", xmlElement("Key", key) + xmlElement("Code", code) + xmlElement("Message", new S3Error(code).message));
      continue;
    }
    await bucket.delete(key);
    if (!quiet) results += xmlContainer("Deleted", xmlElement("Key", key));
  }
  return xmlResponse(200, xmlDocument("DeleteResult", results));
}
