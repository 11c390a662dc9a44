import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { EndpointResponse } from "./service.ts";

// Hop-by-hop headers are forbidden in HTTP/2 (RFC 9113 §8.2.2); Node throws if given them.
const HTTP1_ONLY = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

/** Writes a service's answer on an HTTP/1.1 response. */
export async function writeHttp1Response(res: ServerResponse, method: string, response: EndpointResponse) {
  if (res.destroyed) return;
  const headers = outgoingHeaders(response);
  res.writeHead(response.status, headers);
  await writeBody(res, method, response);
}

/** Writes a service's answer on an HTTP/2 stream. */
export async function writeHttp2Response(stream: ServerHttp2Stream, method: string, response: EndpointResponse) {
  if (stream.destroyed || stream.closed) return;
  const headers = outgoingHeaders(response);
  for (const name of HTTP1_ONLY) delete headers[name];
  stream.respond({ ...headers, ":status": response.status });
  await writeBody(stream, method, response);
}

function outgoingHeaders(response: EndpointResponse): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === "object" ? [...value] : String(value);
  }
  const body = response.body;
  if (headers["content-length"] === undefined && (typeof body === "string" || body instanceof Uint8Array)) {
    headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  } else if (headers["content-length"] === undefined && body === undefined && !bodiless(response.status)) {
    headers["content-length"] = "0";
  }
  return headers;
}

/** HEAD answers and 1xx/204/304 carry no body even when the service supplied one. */
async function writeBody(out: Writable, method: string, response: EndpointResponse): Promise<void> {
  const body = response.body;
  if (method === "HEAD" || bodiless(response.status) || body === undefined) {
    out.end();
    discard(body);
    return;
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    out.end(body);
    return;
  }
  try {
    await pipeline(body instanceof Readable ? body : Readable.from(body, { objectMode: false }), out);
  } catch {
    discard(body);
    // The client went away or the source failed mid-body: pipeline has destroyed both ends,
    // which the client sees as a truncated response rather than a wrong one.
  }
}

function bodiless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/** Releases a streamed body that will not be sent (a file handle, for instance). */
function discard(body: EndpointResponse["body"]): void {
  if (body && typeof body === "object" && !(body instanceof Uint8Array) && "destroy" in body) {
    (body as Readable).destroy();
  }
}
