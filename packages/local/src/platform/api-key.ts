import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The local stand-in for the `IngestApiKey` secret: `FRESHET_API_KEY` if set, otherwise a random
 * key generated once per data directory and kept there (mode 0600), so clients keep working
 * across restarts.
 */
export async function loadApiKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.FRESHET_API_KEY) return env.FRESHET_API_KEY;
  const file = join(dataDir, "secrets", "ingest-api-key");
  try {
    const key = (await readFile(file, "utf8")).trim();
    if (key) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = `fk_local_${randomBytes(24).toString("base64url")}`;
  await mkdir(join(dataDir, "secrets"), { recursive: true, mode: 0o700 });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}
