import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The local stand-in for the `IngestApiKey` secret: `FRESHET_API_KEY` if set, otherwise a random
 * key generated once per data directory and kept there (mode 0600), so clients keep working
 * across restarts.
 */
export function loadApiKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return loadLocalSecret(dataDir, "ingest-api-key", env.FRESHET_API_KEY, "fk_local_");
}

/** The same for the metrics API's own `MetricsApiKey` (`FRESHET_METRICS_API_KEY`): a separate key, read-only access. */
export function loadMetricsApiKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return loadLocalSecret(dataDir, "metrics-api-key", env.FRESHET_METRICS_API_KEY, "fm_local_");
}

async function loadLocalSecret(dataDir: string, name: string, fromEnv: string | undefined, prefix: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, "secrets", name);
  try {
    const key = (await readFile(file, "utf8")).trim();
    if (key) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = `${prefix}${randomBytes(24).toString("base64url")}`;
  await mkdir(join(dataDir, "secrets"), { recursive: true, mode: 0o700 });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}
