import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What scripts and tests need to attach to a running `npm start`. */
export interface RuntimeInfo {
  readonly ingestUrl: string;
  readonly apiKey: string;
  /** `GET /v1/metrics/{view}` with `{view}` left in, for scripts to fill. */
  readonly metricsUrl: string;
  /** The metrics API's own key (read-only; not the ingest key). */
  readonly metricsApiKey: string;
  readonly endpointUrl: string;
  /** The local console, with the key that signs a browser in (`…/console/?key=…`). */
  readonly consoleUrl: string;
}

const FILE = "runtime.json";

export async function writeRuntimeFile(dataDir: string, info: RuntimeInfo): Promise<void> {
  const tmp = join(dataDir, `.${FILE}.${process.pid}`);
  await writeFile(tmp, `${JSON.stringify({ ...info, pid: process.pid, startedAt: new Date().toISOString() }, null, 2)}\n`, {
    mode: 0o600, // it holds the local API key
  });
  await rename(tmp, join(dataDir, FILE));
}

export async function readRuntimeFile(dataDir: string): Promise<RuntimeInfo & { pid: number; startedAt: string }> {
  return JSON.parse(await readFile(join(dataDir, FILE), "utf8"));
}
