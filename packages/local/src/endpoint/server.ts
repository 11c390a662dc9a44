import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type IncomingHttpHeaders as Http2Headers,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { routeRequest } from "./route.ts";
import { writeHttp1Response, writeHttp2Response } from "./respond.ts";
import type { EndpointRequest, EndpointService } from "./service.ts";
import { isHttp2Preface, mayBecomeHttp2Preface } from "./preface.ts";

export interface EndpointOptions {
  /** Services in match order; the first whose `matches` accepts a request handles it. */
  readonly services: readonly EndpointService[];
  /** Loopback port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
}

export interface RunningEndpoint {
  /** `http://127.0.0.1:<port>`: the IP form, so the S3 client uses path-style URLs. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The embedded AWS-compatible endpoint: one loopback port speaking HTTP/1.1 and cleartext HTTP/2
 * (prior knowledge, as the Kinesis client's default `NodeHttp2Handler` does). Each connection's
 * first bytes decide its protocol; both protocols build the same `EndpointRequest` and write the
 * service's `EndpointResponse`. SDK v3 clients reach it unchanged through `AWS_ENDPOINT_URL`.
 */
export async function startEndpoint(options: EndpointOptions): Promise<RunningEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const services = options.services;
  const sockets = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();

  const http1 = createHttpServer((req, res) => void serveHttp1(services, req, res));
  http1.keepAliveTimeout = 65_000;
  // Large PutRecords / PutObject bodies arrive faster with a wide flow-control window.
  const http2 = createHttp2Server({ settings: { initialWindowSize: 16 * 1024 * 1024 } });
  http2.on("stream", (stream: ServerHttp2Stream, headers: Http2Headers) => void serveHttp2(services, stream, headers));
  // A broken client session is that client's problem; the endpoint keeps serving the others.
  http2.on("sessionError", () => undefined);
  http2.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => session.destroy());
  });

  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    dispatchByPreface(socket, (isHttp2) => {
      (isHttp2 ? http2 : http1).emit("connection", socket);
      // The HTTP/1 parser reads through 'data' events, which stay off while the socket is paused;
      // the HTTP/2 session takes over the handle and drains the put-back bytes itself.
      if (!isHttp2) socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        await stopped;
        for (const service of services) await service.close?.();
      })();
      return closing;
    },
  };
}

/**
 * Reads until the bytes seen either are, or can no longer become, the HTTP/2 connection preface,
 * then puts them back so the chosen server parses the connection from its first byte.
 */
function dispatchByPreface(socket: Socket, hand: (isHttp2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    if (mayBecomeHttp2Preface(seen) && !isHttp2Preface(seen)) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(seen);
    hand(isHttp2Preface(seen));
  };
  socket.on("data", onData);
}

async function serveHttp1(services: readonly EndpointService[], req: IncomingMessage, res: ServerResponse) {
  let body: Buffer;
  try {
    body = await readAll(req);
  } catch {
    res.destroy();
    return;
  }
  const target = splitTarget(req.url ?? "/");
  const request: EndpointRequest = {
    method: req.method ?? "GET",
    path: target.path,
    query: target.query,
    headers: req.headers,
    body,
  };
  const response = await routeRequest(services, request);
  await writeHttp1Response(res, request.method, response);
}

async function serveHttp2(services: readonly EndpointService[], stream: ServerHttp2Stream, raw: Http2Headers) {
  stream.on("error", () => stream.destroy());
  let body: Buffer;
  try {
    body = await readAll(stream);
  } catch {
    stream.destroy();
    return;
  }
  const target = splitTarget(String(raw[":path"] ?? "/"));
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith(":")) continue;
    headers[name] = value;
  }
  if (raw[":authority"] !== undefined && headers.host === undefined) headers.host = String(raw[":authority"]);
  const request: EndpointRequest = {
    method: String(raw[":method"] ?? "GET"),
    path: target.path,
    query: target.query,
    headers,
    body,
  };
  const response = await routeRequest(services, request);
  await writeHttp2Response(stream, request.method, response);
}

/**
 * Splits a request target without URL normalisation: S3 keys may contain `.`/`..` segments and
 * `//`, which WHATWG URL parsing would silently resolve into a different key.
 */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  return { path: path.startsWith("/") ? path : `/${path}`, query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)) };
}

async function readAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}
