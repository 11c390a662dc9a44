import { timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { ConsoleData, type PlatformCounters } from "./console-data.ts";
import { ConsoleRouteNotFoundError } from "./errors.ts";
import { PipelineSeries } from "./pipeline-series.ts";

export interface ConsoleServerOptions {
  /** Where the built page is (`@freshet/console`'s dist). */
  readonly staticDir: string;
  readonly dataDir: string;
  /** The embedded AWS endpoint the console's SDK clients call. */
  readonly endpointUrl: string;
  /** The ingest API's origin, where `GET /v1/metrics/{view}` answers (the dashboards). */
  readonly apiOrigin: string;
  /** The key the page must present (the platform's generated API key). */
  readonly apiKey: string;
  /** The key the metrics API expects, when it differs from `apiKey`. */
  readonly metricsApiKey?: string;
  readonly counters: PlatformCounters;
  /** 0 picks a free port. */
  readonly port?: number;
  /** How often the charts' series is sampled (default 2 s). */
  readonly sampleMs?: number;
}

export interface ConsoleServer {
  /** The page, with the key that signs the browser in: what `npm start` prints. */
  readonly url: string;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const COOKIE = "freshet_console";
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};
/** The page may reach only this server: no other origin, no inline script. uPlot sizes its elements with style attributes. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
export const DASHBOARD_VIEWS = ["campaign-performance", "user-engagement", "feature-adoption", "revenue-attribution"] as const;
const METRICS_PARAMS = ["from", "to", "campaign", "channel", "bucket"];

/**
 * The local console: the page's static files under `/console/` and its JSON API under
 * `/console/api/`, on loopback only. Opening `/console/?key=<API key>` sets an HttpOnly,
 * SameSite=Strict cookie and drops the key from the address; every API call needs that cookie
 * (or the key in `x-api-key`). Requests whose Host is not this loopback address are refused,
 * so a page elsewhere cannot reach the API by rebinding a name to 127.0.0.1.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const data = new ConsoleData(options.endpointUrl, options.dataDir, options.counters);
  const series = new PipelineSeries(data, options.sampleMs);
  let origin = "";
  const server: Server = createServer((req, res) => {
    // A failed read is the API's answer (502, with the SDK's error), not the server's failure.
    handle(req, res).catch((error: unknown) =>
      json(res, error instanceof ConsoleRouteNotFoundError ? 404 : 502, { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    if (req.headers.host !== new URL(origin).host) return json(res, 421, { message: "unexpected Host" });
    if (req.method !== "GET") return json(res, 405, { message: "only GET" });
    if (url.pathname === "/" || url.pathname === "/console") return redirect(res, "/console/");
    const key = url.searchParams.get("key");
    if (url.pathname === "/console/" && key !== null) {
      if (!sameKey(key, options.apiKey)) return json(res, 401, { message: "wrong key: use the link npm start printed" });
      res.setHeader("set-cookie", `${COOKIE}=${encodeURIComponent(key)}; Path=/console; HttpOnly; SameSite=Strict`);
      return redirect(res, "/console/");
    }
    if (url.pathname.startsWith("/console/api/")) {
      if (!authorized(req, options.apiKey)) return json(res, 401, { message: "open the console with the link npm start printed (…/console/?key=…)" });
      return json(res, 200, await api(url.pathname.slice("/console/api/".length), url.searchParams));
    }
    if (url.pathname.startsWith("/console/")) return serveStatic(res, options.staticDir, url.pathname.slice("/console/".length) || "index.html");
    return json(res, 404, { message: "Not Found" });
  }

  async function api(route: string, params: URLSearchParams): Promise<unknown> {
    switch (route) {
      case "overview": {
        const points = series.points();
        const [tally, warehouse] = await Promise.all([data.tally(), series.latestWarehouse() ?? series.sample().then(() => series.latestWarehouse())]);
        return { ...data.counts(), executions: tally, warehouse: warehouse ?? null, series: points };
      }
      case "workflows":
        return data.workflows();
      case "executions":
        return data.executions({ workflow: params.get("workflow") ?? "", status: params.get("status") ?? "" });
      case "execution":
        return data.execution(params.get("arn") ?? "");
      case "anomalies":
        return data.anomalies();
      case "triage":
        return data.triage();
      default:
        if (route.startsWith("metrics/")) return metrics(route.slice("metrics/".length), params);
        throw new ConsoleRouteNotFoundError(`no console route ${route}`);
    }
  }

  /** A dashboard through the metrics API (`GET /v1/metrics/{view}`); `available: false` while the route is not there. */
  async function metrics(view: string, params: URLSearchParams): Promise<unknown> {
    if (!(DASHBOARD_VIEWS as readonly string[]).includes(view)) throw new ConsoleRouteNotFoundError(`no dashboard ${view}`);
    const query = new URLSearchParams([...params].filter(([name]) => METRICS_PARAMS.includes(name)));
    const response = await fetch(`${options.apiOrigin}/v1/metrics/${view}?${query}`, { headers: { "x-api-key": options.metricsApiKey ?? options.apiKey } });
    if (response.status === 404) return { available: false, view };
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) return { available: true, view, error: `${response.status}: ${String(body.message ?? "")}` };
    return { available: true, ...body };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  origin = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/console/?key=${encodeURIComponent(options.apiKey)}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await series.stop();
      data.close();
    },
  };
}

function authorized(req: IncomingMessage, apiKey: string): boolean {
  const header = req.headers["x-api-key"];
  if (typeof header === "string") return sameKey(header, apiKey);
  const cookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  return cookie !== undefined && sameKey(decodeURIComponent(cookie.slice(COOKIE.length + 1)), apiKey);
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(res: ServerResponse, dir: string, file: string): Promise<void> {
  const path = normalize(join(dir, decodeURIComponent(file)));
  if (!path.startsWith(normalize(dir + sep)) || !TYPES[extname(path)]) return json(res, 404, { message: "Not Found" });
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const missing = file === "index.html" ? "the console is not built: npm ci (or node packages/console/build.ts) builds it" : "Not Found";
    return json(res, 404, { message: missing });
  }
  res.writeHead(200, { "content-type": TYPES[extname(path)]!, "content-security-policy": CSP, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location });
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(JSON.stringify(body));
}
