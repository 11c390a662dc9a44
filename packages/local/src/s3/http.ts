import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { EndpointResponse } from "../endpoint/service.ts";
import { S3Error } from "./errors.ts";
import { xmlDocument, xmlElement } from "./xml.ts";

/** One header's value; repeated headers are joined with commas as HTTP allows. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : value;
}

/** The identifiers S3 puts on every response, error or not. */
export function requestIdHeaders(): Record<string, string> {
  return {
    "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(),
    "x-amz-id-2": randomBytes(48).toString("base64"),
    server: "AmazonS3",
  };
}

export function xmlResponse(status: number, document: string, headers: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { ...requestIdHeaders(), "content-type": "application/xml", ...headers }, body: document };
}

/** The `<Error>` document S3 answers with (HEAD answers carry only the status). */
export function errorResponse(error: S3Error, resource: string): EndpointResponse {
  const ids = requestIdHeaders();
  const details = Object.entries(error.details)
    .map(([name, value]) => xmlElement(name, value))
    .join("");
  const body = xmlDocument(
    "Error",
    xmlElement("Code", error.code) +
      xmlElement("Message", error.message) +
      details +
      xmlElement("Resource", resource) +
      xmlElement("RequestId", ids["x-amz-request-id"]) +
      xmlElement("HostId", ids["x-amz-id-2"]),
    { namespace: false },
  );
  return { status: error.status, headers: { ...ids, "content-type": "application/xml" }, body };
}

/** RFC 7231 IMF-fixdate, as S3 sends `Last-Modified` (whole seconds). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** ISO-8601 with milliseconds, as S3 writes timestamps in XML. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
