import type { IncomingHttpHeaders } from "node:http";

/**
 * A request as the endpoint hands it to a service, the same for HTTP/1.1 and HTTP/2: header names
 * lower-case (HTTP/2 pseudo-headers removed, `:authority` given as `host`), body fully read.
 */
export interface EndpointRequest {
  readonly method: string;
  /** Path without the query string, percent-decoding left to the service. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Header values as a service returns them; numbers are sent as decimal strings. */
export type EndpointHeaders = Readonly<Record<string, string | number | readonly string[]>>;

/**
 * What a service answers. The endpoint writes it in whichever protocol the client spoke, so
 * services never touch a socket. A `string`/`Uint8Array` body gets `content-length` set for it;
 * an async iterable (e.g. a file `Readable`) is streamed and should come with its own
 * `content-length` header when the size is known.
 */
export interface EndpointResponse {
  readonly status: number;
  readonly headers?: EndpointHeaders;
  readonly body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * One AWS service emulated on the endpoint. `matches` decides from the request alone (the
 * `X-Amz-Target` header of JSON protocols, the `Action` of query protocols, or nothing for S3's
 * REST protocol) whether the request is this service's. A rejected `handle` becomes a 500
 * `InternalFailure` answer; the endpoint keeps serving.
 */
export interface EndpointService {
  readonly name: string;
  matches(req: EndpointRequest): boolean;
  handle(req: EndpointRequest): Promise<EndpointResponse>;
  /** Flush and release whatever the service holds (files, timers). */
  close?(): Promise<void>;
}

/** An AWS JSON-protocol error (`__type` + `message`), as Kinesis, SQS-JSON and others send. */
export function jsonErrorResponse(status: number, type: string, message: string): EndpointResponse {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
    body: JSON.stringify({ __type: type, message }),
  };
}
