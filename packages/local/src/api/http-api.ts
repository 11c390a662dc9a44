import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { lambdaContext, type LocalFunction } from "../lambda/context.ts";

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpRoute {
  /** `"POST /v1/events"`, as SST's `ApiGatewayV2.route` names routes. */
  readonly routeKey: string;
  readonly fn: LocalFunction;
  readonly handler: HttpHandler;
}

export interface HttpApiOptions {
  readonly routes: readonly HttpRoute[];
  readonly port?: number;
  readonly host?: string;
  /** Called after each invocation, for the live counters of `npm start`. */
  readonly onResponse?: (routeKey: string, result: APIGatewayProxyStructuredResultV2) => void;
  /**
   * How long a client may take to send its whole request (headers and body) before it is
   * answered 408 and disconnected; default `REQUEST_TIMEOUT_MS`. Tests pass a small value.
   */
  readonly requestTimeoutMs?: number;
}

export interface RunningHttpApi {
  readonly url: string;
  close(): Promise<void>;
}

/** API Gateway's HTTP API payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway's HTTP API limit on the request line and headers together ("10240 bytes"). */
const MAX_HEADER_BYTES = 10_240;
/**
 * A slow client (slow-loris) must not hold a connection forever. AWS does not document how long
 * API Gateway waits for a request body; its documented bound on a request is the HTTP API's
 * 30 s maximum integration timeout, so the stand-in allows the whole request that long.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The local stand-in for API Gateway v2 (HTTP API): matches the route, builds the payload
 * format 2.0 event, invokes the same handler Lambda runs, and writes its structured result.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<RunningHttpApi> {
  const host = options.host ?? "127.0.0.1";
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const serverOptions = {
    // Node answers 408 and closes the connection itself once a request is not complete in time;
    // it checks every `connectionsCheckingInterval` (30 s by default, too coarse for the bound).
    requestTimeout,
    headersTimeout: requestTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(requestTimeout / 4))),
    // Larger request lines and headers are answered 431 before any route runs.
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const server: Server = createServer(serverOptions, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_PAYLOAD_BYTES) return send(res, { statusCode: 413, body: JSON.stringify({ message: "Request Entity Too Large" }) });
      void invoke(options, req, Buffer.concat(chunks), res);
    });
    req.on("error", () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function invoke(options: HttpApiOptions, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  const match = matchRoute(options.routes, req.method ?? "GET", url.pathname);
  if (!match) return send(res, { statusCode: 404, body: JSON.stringify({ message: "Not Found" }) });
  const { route, pathParameters } = match;
  try {
    const result = await route.handler(toEvent(req, url, route.routeKey, body, pathParameters), lambdaContext(route.fn));
    options.onResponse?.(route.routeKey, result);
    send(res, result);
  } catch {
    // What API Gateway answers when the integration fails.
    send(res, { statusCode: 500, body: JSON.stringify({ message: "Internal Server Error" }) });
  }
}

/**
 * The route a request matches, as API Gateway matches them: the method, then the path segment by
 * segment, where `{name}` takes one whole segment (URL-decoded into `pathParameters`).
 */
export function matchRoute(
  routes: readonly HttpRoute[],
  method: string,
  path: string,
): { route: HttpRoute; pathParameters?: Record<string, string> } | undefined {
  const segments = path.split("/");
  for (const route of routes) {
    const [routeMethod, routePath = ""] = route.routeKey.split(" ");
    if (routeMethod !== method) continue;
    const pattern = routePath.split("/");
    if (pattern.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = pattern.every((part, n) => {
      const segment = segments[n]!;
      const name = /^\{([A-Za-z0-9_]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segment;
      if (segment === "") return false;
      try {
        parameters[name] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return true;
    });
    if (matches) return Object.keys(parameters).length > 0 ? { route, pathParameters: parameters } : { route };
  }
  return undefined;
}

function toEvent(req: IncomingMessage, url: URL, routeKey: string, body: Buffer, pathParameters?: Record<string, string>): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const now = new Date();
  let text: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    text = undefined; // binary: API Gateway base64-encodes it
  }
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? queryStringParameters(url.searchParams) : undefined,
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.byteLength === 0 ? undefined : (text ?? body.toString("base64")),
    isBase64Encoded: body.byteLength > 0 && text === undefined,
  };
}

/** API Gateway's payload 2.0 joins a repeated parameter's values with commas. */
function queryStringParameters(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of new Set(params.keys())) out[name] = params.getAll(name).join(",");
  return out;
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), "content-length": body.byteLength });
  res.end(body);
}
