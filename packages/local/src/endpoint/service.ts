import type { IncomingMessage, ServerResponse } from "node:http";

/** A request as the endpoint hands it to a service: headers parsed, body fully read. */
export interface EndpointRequest {
  readonly method: string;
  /** Path without the query string, percent-decoding left to the service. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

/**
 * One AWS service emulated on the endpoint. `matches` decides from the request alone (the
 * `X-Amz-Target` header of JSON protocols, the `Action` of query protocols, or nothing for S3's
 * REST protocol) whether the request is this service's.
 */
export interface EndpointService {
  readonly name: string;
  matches(req: EndpointRequest): boolean;
  handle(req: EndpointRequest, res: ServerResponse): Promise<void>;
  /** Flush and release whatever the service holds (files, timers). */
  close?(): Promise<void>;
}
