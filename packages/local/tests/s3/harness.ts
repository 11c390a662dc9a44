import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import type { EndpointRequest, EndpointService } from "../../src/endpoint/service.ts";
import { createS3Service, type ObjectCreatedEvent, type S3ServiceOptions } from "../../src/s3/index.ts";

export interface S3Harness {
  readonly dataDir: string;
  readonly endpoint: RunningEndpoint;
  /** A default-configured client, as handlers build it (only endpoint, region, credentials set). */
  readonly client: S3Client;
  /** Requests as the service received them, newest last. */
  readonly requests: EndpointRequest[];
  readonly created: ObjectCreatedEvent[];
  /** Stops the endpoint and starts a new one (new service, empty memory) on the same data folder. */
  restart(): Promise<S3Harness>;
  stop(): Promise<void>;
}

export async function startS3(
  options: { dataDir?: string; region?: string; service?: Partial<S3ServiceOptions> } = {},
): Promise<S3Harness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "freshet-s3-")));
  const requests: EndpointRequest[] = [];
  const created: ObjectCreatedEvent[] = [];
  const s3 = createS3Service({
    dataDir,
    region: options.region,
    onObjectCreated: (e) => created.push(e),
    ...options.service,
  });
  const recording: EndpointService = {
    name: "s3",
    matches: (req) => s3.matches(req),
    handle: (req) => {
      requests.push(req);
      return s3.handle(req);
    },
    close: () => s3.close?.() ?? Promise.resolve(),
  };
  const endpoint = await startEndpoint({ services: [recording] });
  const client = new S3Client({
    endpoint: endpoint.url,
    region: options.region ?? "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const harness: S3Harness = {
    dataDir,
    endpoint,
    client,
    requests,
    created,
    async restart() {
      client.destroy();
      await endpoint.close();
      return startS3({ ...options, dataDir });
    },
    async stop() {
      client.destroy();
      await endpoint.close();
    },
  };
  return harness;
}

export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}

/** A fresh S3 endpoint holding one empty bucket (`lake` unless named), as most tests start. */
export async function startS3WithBucket(bucket = "lake"): Promise<S3Harness> {
  const s3 = await startS3();
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return s3;
}

/** Stops the endpoint and removes its data folder. */
export async function disposeS3(s3: S3Harness): Promise<void> {
  await s3.stop();
  await removeDataDir(s3.dataDir);
}

/**
 * Sends a raw HTTP/1.1 request with the path exactly as given (no URL normalisation), for bodies,
 * headers and paths the SDK would never produce.
 */
export function rawRequest(
  url: string,
  init: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/`, { method: init.method, path: init.path, headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The S3 error code in an XML error body. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}
