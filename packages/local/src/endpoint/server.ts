import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EndpointRequest, EndpointService } from "./service.ts";

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
 * The embedded AWS-compatible endpoint: one HTTP/1.1 server on loopback that routes each request
 * to the service it belongs to. SDK v3 clients reach it unchanged through `AWS_ENDPOINT_URL`.
 */
export async function startEndpoint(options: EndpointOptions): Promise<RunningEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://endpoint");
      const request: EndpointRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      void route(options.services, request, res);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const service of options.services) await service.close?.();
    },
  };
}

async function route(
  services: readonly EndpointService[],
  req: EndpointRequest,
  res: ServerResponse,
): Promise<void> {
  const service = services.find((s) => s.matches(req));
  try {
    if (!service) {
      sendJsonError(res, 400, "UnknownOperationException", "No embedded service serves this request");
      return;
    }
    await service.handle(req, res);
  } catch (error) {
    // A service bug must never take the endpoint down; answer like AWS does on internal errors.
    if (!res.headersSent) {
      sendJsonError(res, 500, "InternalFailure", error instanceof Error ? error.message : String(error));
    } else {
      res.destroy();
    }
  }
}

export function sendJsonError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-errortype": type,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
