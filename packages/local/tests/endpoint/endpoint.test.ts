import { createHash, randomBytes } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { connect as netConnect } from "node:net";
import { Readable } from "node:stream";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { afterEach, describe, expect, it } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../../src/endpoint/service.ts";

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

/** Answers Kinesis ListStreams like AWS would for an account without streams. */
function kinesisStub(seen: EndpointRequest[]): EndpointService {
  return {
    name: "kinesis-stub",
    matches: (req) => String(req.headers["x-amz-target"] ?? "").startsWith("Kinesis_20131202."),
    async handle(req) {
      seen.push(req);
      return { status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: '{"StreamNames":[]}' };
    },
  };
}

/** Echoes the body back with its SHA-256; `/boom` throws; `/stream` streams; `/head` has a length. */
const echo: EndpointService = {
  name: "echo",
  matches: () => true,
  async handle(req): Promise<EndpointResponse> {
    if (req.path === "/boom") throw new Error("service bug");
    if (req.path === "/stream") {
      const parts = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i));
      return { status: 200, headers: { "content-length": 64 * 16 * 1024 }, body: Readable.from(parts) };
    }
    if (req.path === "/head") return { status: 200, headers: { "content-length": 1234 }, body: "ignored" };
    const digest = createHash("sha256").update(req.body).digest("hex");
    return {
      status: 200,
      headers: { "x-sha256": digest, "x-method": req.method, "x-query": req.query.toString(), "x-host": String(req.headers.host) },
      body: req.body,
    };
  },
};

let endpoint: RunningEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  reusedSocket?: boolean;
}

function h1(url: string, path: string, init: { method?: string; body?: Buffer; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: init.method ?? "POST", agent: init.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), reusedSocket: req.reusedSocket }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

function h2(session: ClientHttp2Session, path: string, init: { method?: string; body?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": init.method ?? "POST", ":path": path });
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Reply["headers"] = {};
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      headers = h as Reply["headers"];
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ status, headers, body: Buffer.concat(chunks) }));
    stream.on("error", reject);
    stream.end(init.body);
  });
}

describe("endpoint", () => {
  it("serves a default-configured Kinesis client, which speaks h2c", async () => {
    const seen: EndpointRequest[] = [];
    endpoint = await startEndpoint({ services: [kinesisStub(seen), echo] });
    const client = new KinesisClient({ endpoint: endpoint.url, region: "us-east-1", credentials });
    // The point of the test: the client's default handler is the HTTP/2 one.
    expect(client.config.requestHandler.constructor.name).toBe("NodeHttp2Handler");
    const out = await client.send(new ListStreamsCommand({}));
    expect(out.StreamNames).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.path).toBe("/");
    expect(seen[0]?.headers.host).toBe(`127.0.0.1:${endpoint.port}`);
    expect(Object.keys(seen[0]?.headers ?? {}).some((k) => k.startsWith(":"))).toBe(false);
    expect(JSON.parse(seen[0]?.body.toString() ?? "")).toEqual({});
    client.destroy();
  });

  it("carries 12 MB bodies both ways over HTTP/1.1 and HTTP/2", async () => {
    endpoint = await startEndpoint({ services: [echo] });
    const big = randomBytes(12 * 1024 * 1024);
    const digest = createHash("sha256").update(big).digest("hex");

    const one = await h1(endpoint.url, "/up?x=1&y=a%20b", { body: big });
    expect(one.status).toBe(200);
    expect(one.headers["x-sha256"]).toBe(digest);
    expect(one.headers["x-query"]).toBe("x=1&y=a+b");
    expect(one.body.equals(big)).toBe(true);

    const session = http2Connect(endpoint.url);
    const two = await h2(session, "/up?x=2", { body: big });
    expect(two.status).toBe(200);
    expect(two.headers["x-sha256"]).toBe(digest);
    expect(two.headers["x-host"]).toBe(`127.0.0.1:${endpoint.port}`);
    expect(two.body.equals(big)).toBe(true);
    session.close();
  });

  it("keeps HTTP/1.1 connections alive across requests", async () => {
    endpoint = await startEndpoint({ services: [echo] });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await h1(endpoint.url, "/a", { agent, body: Buffer.from("1") });
    const second = await h1(endpoint.url, "/b", { agent, body: Buffer.from("2") });
    expect(first.reusedSocket).toBe(false);
    expect(second.reusedSocket).toBe(true);
    expect(second.body.toString()).toBe("2");
    agent.destroy();
  });

  it("answers a service bug with 500 InternalFailure and keeps serving", async () => {
    endpoint = await startEndpoint({ services: [echo] });
    const failed = await h1(endpoint.url, "/boom");
    expect(failed.status).toBe(500);
    expect(failed.headers["x-amzn-errortype"]).toBe("InternalFailure");
    expect(JSON.parse(failed.body.toString())).toEqual({ __type: "InternalFailure", message: "service bug" });

    const session = http2Connect(endpoint.url);
    const failed2 = await h2(session, "/boom");
    expect(failed2.status).toBe(500);
    const ok = await h2(session, "/fine", { body: Buffer.from("still here") });
    expect(ok.body.toString()).toBe("still here");
    session.close();
  });

  it("answers 400 when no service claims the request", async () => {
    endpoint = await startEndpoint({ services: [kinesisStub([])] });
    const reply = await h1(endpoint.url, "/bucket/key", { method: "GET" });
    expect(reply.status).toBe(400);
    expect(reply.headers["x-amzn-errortype"]).toBe("UnknownOperationException");
  });

  it("streams async-iterable bodies and sends no body for HEAD", async () => {
    endpoint = await startEndpoint({ services: [echo] });
    const streamed = await h1(endpoint.url, "/stream", { method: "GET" });
    expect(streamed.body.length).toBe(64 * 16 * 1024);
    expect(streamed.body[16 * 1024 * 63]).toBe(63);
    const session = http2Connect(endpoint.url);
    const streamed2 = await h2(session, "/stream", { method: "GET" });
    expect(streamed2.body.length).toBe(64 * 16 * 1024);
    const head2 = await h2(session, "/head", { method: "HEAD" });
    expect(head2.headers["content-length"]).toBe("1234");
    expect(head2.body.length).toBe(0);
    session.close();
    const head1 = await h1(endpoint.url, "/head", { method: "HEAD" });
    expect(head1.headers["content-length"]).toBe("1234");
    expect(head1.body.length).toBe(0);
  });

  it("decides the protocol even when the request arrives a byte at a time", async () => {
    endpoint = await startEndpoint({ services: [echo] });
    const socket = netConnect(endpoint.port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise((r) => socket.once("connect", r));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    // Listened for before the last byte goes out: the server may answer and close within the next
    // millisecond, and an 'end' emitted before anyone listens would leave this test waiting.
    const ended = new Promise((r) => socket.once("end", r));
    // "POST" shares its first byte with the HTTP/2 preface "PRI *", so the first byte alone cannot decide.
    const raw = "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
    for (const ch of raw) {
      socket.write(ch);
      await new Promise((r) => setTimeout(r, 1));
    }
    await ended;
    const text = Buffer.concat(chunks).toString();
    expect(text.startsWith("HTTP/1.1 200")).toBe(true);
    expect(text.endsWith("\r\n\r\nabc")).toBe(true);
  });

  it("closes promptly with idle keep-alive and HTTP/2 connections open, and frees the port", async () => {
    let closedService = false;
    endpoint = await startEndpoint({
      services: [{ ...echo, close: async () => void (closedService = true) }],
    });
    const agent = new Agent({ keepAlive: true });
    await h1(endpoint.url, "/a", { agent });
    const session = http2Connect(endpoint.url);
    await h2(session, "/b");
    const sessionClosed = new Promise((r) => session.once("close", r));

    // An HTTP/2 session never times out by itself: close() resolves only because it ends the session.
    await endpoint.close();
    await sessionClosed;
    expect(closedService).toBe(true);
    await expect(h1(endpoint.url, "/c")).rejects.toThrow(/ECONNREFUSED/);
    await endpoint.close(); // idempotent
    agent.destroy();
    endpoint = undefined;
  });
});
