import { SNSClient } from "@aws-sdk/client-sns";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import type { EndpointService } from "../../src/endpoint/service.ts";
import { createSnsService, type SnsService, type SnsServiceOptions } from "../../src/sns/index.ts";

export interface SnsHarness {
  readonly dataDir: string;
  readonly endpoint: RunningEndpoint;
  readonly service: SnsService;
  /** A default-configured client (only endpoint, region, credentials set), as handlers build it. */
  readonly client: SNSClient;
  /** Lines the service printed through its `log` option. */
  readonly logs: string[];
  /** Stops the endpoint and service, keeping the data directory. */
  stop(): Promise<void>;
  /** Stops and deletes the data directory. */
  dispose(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "freshet-sns-"));
}

export function snsClient(url: string): SNSClient {
  return new SNSClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
}

/** A real endpoint on loopback serving a real SNS service (and any `extra` services after it). */
export async function startSns(options: Partial<SnsServiceOptions> = {}, extra: (dataDir: string) => EndpointService[] = () => []): Promise<SnsHarness> {
  const dataDir = options.dataDir ?? tempDataDir();
  const logs: string[] = [];
  const service = createSnsService({ log: (line) => logs.push(line), delivery: { baseDelayMs: 5, timeoutMs: 2000 }, ...options, dataDir });
  const endpoint = await startEndpoint({ services: [service, ...extra(dataDir)] });
  const client = snsClient(endpoint.url);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await endpoint.close();
    await service.close();
  };
  return {
    dataDir,
    endpoint,
    service,
    client,
    logs,
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An SDK service error, as a test asserts on it. */
export interface ServiceError {
  readonly name: string;
  readonly message: string;
  readonly Code?: string;
  readonly $fault?: string;
  readonly $metadata: { httpStatusCode?: number };
}

/** Awaits `promise` expecting an SDK service error; returns it for assertions. */
export async function serviceError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail");
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Webhook {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A loopback HTTP server standing in for a subscriber; `answer` picks each response's status (200 by default). */
export async function startWebhook(answer: (index: number, req: ReceivedRequest) => number = () => 200, path = "/hook"): Promise<Webhook> {
  const received: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const status = answer(received.length, request);
      received.push(request);
      res.writeHead(status).end();
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    waitFor(count) {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(received.slice(0, count)) }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
