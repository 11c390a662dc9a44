import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createKinesisService, type KinesisService, type KinesisServiceOptions } from "../../src/kinesis/index.ts";

export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface KinesisHarness {
  readonly dataDir: string;
  readonly endpoint: RunningEndpoint;
  /** The service itself, for in-process callers (the platform's event source mapping). */
  readonly service: KinesisService;
  /** The SDK client exactly as Freshet creates it (default HTTP/2 request handler). */
  readonly client: KinesisClient;
  /** A client on HTTP/1.1, the other protocol the endpoint speaks. */
  readonly http1Client: KinesisClient;
  /** Stops the endpoint and service, keeping the data directory. */
  stop(): Promise<void>;
  /** Stops and deletes the data directory. */
  dispose(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "freshet-kinesis-"));
}

export function kinesisClient(url: string, http1 = false): KinesisClient {
  return new KinesisClient({
    endpoint: url,
    region: "us-east-1",
    credentials,
    ...(http1 ? { requestHandler: new NodeHttpHandler() } : {}),
    maxAttempts: 1,
  });
}

/** A real endpoint on loopback serving a real Kinesis service over `dataDir` (a new one by default). */
export async function startKinesis(options: Partial<KinesisServiceOptions> = {}): Promise<KinesisHarness> {
  const dataDir = options.dataDir ?? tempDataDir();
  const service = createKinesisService({ ...options, dataDir });
  const endpoint = await startEndpoint({ services: [service] });
  const client = kinesisClient(endpoint.url);
  const http1Client = kinesisClient(endpoint.url, true);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    http1Client.destroy();
    await endpoint.close();
  };
  return {
    dataDir,
    endpoint,
    service,
    client,
    http1Client,
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Awaits `promise` expecting an SDK service error; returns it for assertions. */
export async function serviceError(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}
