import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleServer, type ConsoleServer } from "../../src/console/console-server.ts";

/** The console server's own rules, without a platform: sign-in, loopback Host, static files, the dashboards' proxy. */
const KEY = "fk_local_test-key";
let dir: string;
let server: ConsoleServer;
let origin: string;
let metricsApi: Server;
let metricsAnswer: { status: number; body: unknown } = { status: 404, body: { message: "Not Found" } };
const metricsSeen: { url: string; key: string | undefined }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "freshet-console-server-"));
  await writeFile(join(dir, "index.html"), "<!doctype html><title>console</title>");
  await writeFile(join(dir, "main.js"), "export {};");
  // Beside the static folder: what a path climbing out of it would reach.
  await writeFile(join(dir, "..", `${dir.split("/").at(-1)}-outside.js`), "secret");
  metricsApi = createServer((req, res) => {
    metricsSeen.push({ url: req.url ?? "", key: req.headers["x-api-key"] as string | undefined });
    res.writeHead(metricsAnswer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(metricsAnswer.body));
  });
  await new Promise<void>((resolve) => metricsApi.listen(0, "127.0.0.1", resolve));
  server = await startConsoleServer({
    staticDir: dir,
    dataDir: dir,
    endpointUrl: "http://127.0.0.1:9", // not called by the routes tested here
    apiOrigin: `http://127.0.0.1:${(metricsApi.address() as AddressInfo).port}`,
    apiKey: KEY,
    metricsApiKey: "metrics-key",
    counters: { accepted: () => 0, counts: () => ({ received: 0, processed: 0, deadLettered: 0, filtered: 0, batches: 0 }) },
  });
  origin = new URL(server.url).origin;
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => metricsApi?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
  if (dir) await rm(`${dir}-outside.js`, { force: true });
});

/** A GET with exactly these headers (fetch would not let a test set Host). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the console server", () => {
  it("prints a loopback link that carries the key", () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.pathname).toBe("/console/");
    expect(url.searchParams.get("key")).toBe(KEY);
  });

  it("turns the link's key into an HttpOnly, SameSite=Strict cookie and drops it from the address", async () => {
    const signIn = await get(`/console/?key=${encodeURIComponent(KEY)}`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toBe("/console/");
    const cookie = String(signIn.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const answer = await get("/console/api/no-such-route", { cookie: cookie.split(";")[0]! });
    expect(answer.status).toBe(404);
  });

  it("refuses the API without the key, with a wrong key, and a wrong key in the link", async () => {
    expect((await get("/console/api/overview")).status).toBe(401);
    expect((await get("/console/api/overview", { cookie: "freshet_console=nope" })).status).toBe(401);
    expect((await get("/console/api/overview", { "x-api-key": `${KEY}x` })).status).toBe(401);
    expect((await get("/console/?key=nope")).status).toBe(401);
  });

  it("refuses a Host that is not its loopback address (DNS rebinding)", async () => {
    const port = new URL(origin).port;
    expect((await get("/console/", { host: `evil.example:${port}` })).status).toBe(421);
    expect((await get("/console/api/overview", { host: `evil.example:${port}`, "x-api-key": KEY })).status).toBe(421);
  });

  it("serves the page's files with a policy that keeps it on this server, and nothing outside them", async () => {
    const page = await get("/console/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(page.headers["content-security-policy"]).toMatch(/connect-src 'self'/);
    expect((await get("/console/main.js")).headers["content-type"]).toMatch(/^text\/javascript/);
    expect((await get(`/console/..%2F${dir.split("/").at(-1)}-outside.js`)).status).toBe(404);
    expect((await get("/console/missing.js")).status).toBe(404);
  });

  it("answers a dashboard as unavailable while the metrics API has no route", async () => {
    metricsAnswer = { status: 404, body: { message: "Not Found" } };
    const answer = await get("/console/api/metrics/user-engagement?bucket=hour&evil=1", { "x-api-key": KEY });
    expect(JSON.parse(answer.body)).toEqual({ available: false, view: "user-engagement" });
    // Only the API's own parameters are passed on, with the metrics key.
    expect(metricsSeen.at(-1)).toEqual({ url: "/v1/metrics/user-engagement?bucket=hour", key: "metrics-key" });
  });

  it("passes a dashboard's rows through, and refuses views the API does not have", async () => {
    metricsAnswer = { status: 200, body: { view: "campaign-performance", rows: [{ bucket: "2026-12-07T06:00:00Z", campaign: "c-1", conversions: 3 }], freshness: { age_seconds: 4 } } };
    const answer = await get("/console/api/metrics/campaign-performance?from=2026-12-07T00:00:00Z", { "x-api-key": KEY });
    expect(JSON.parse(answer.body)).toEqual({ available: true, ...metricsAnswer.body as object });
    expect((await get("/console/api/metrics/..%2Fevents", { "x-api-key": KEY })).status).toBe(404);
  });
});
