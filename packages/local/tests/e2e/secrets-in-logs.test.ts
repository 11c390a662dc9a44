import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Secrets never reach a log: the platform runs in a child process at its most verbose (handlers at
 * DEBUG, Powertools asked to log every invocation event) with good and failing traffic; then all
 * it wrote to stdout and stderr, and every file under its data directory (gzip unpacked), is
 * searched for the ingest and metrics API keys. Only the files that exist to hold them may.
 * (The AWS stage's admin secret is Redshift's, in Secrets Manager; locally there is none.)
 */
const INGEST_KEY = "fk_test_SECRET_ingest_0123456789abcdef";
const METRICS_KEY = "fm_test_SECRET_metrics_fedcba9876543210";
/** The local stand-in of the secrets' store, and the file `npm start` writes for scripts. */
const HOLDERS = ["runtime.json"];

let dataDir: string;
let output = "";
let code: number | null = null;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "freshet-secrets-"));
  const child = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "run-with-traffic.ts"), dataDir], {
    env: {
      ...process.env,
      FRESHET_API_KEY: INGEST_KEY,
      FRESHET_METRICS_API_KEY: METRICS_KEY,
      POWERTOOLS_LOGGER_LOG_EVENT: "true",
      POWERTOOLS_DEV: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  code = await new Promise((resolve) => child.on("close", resolve));
}, 120_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const unpacked = (bytes: Buffer) => (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);

describe("secrets in logs", () => {
  it("ran the traffic: good requests accepted, failing ones refused, handlers logging", () => {
    expect(code, output).toBe(0);
    expect(output).toContain("statuses 202,202,403,403,401,400,200,400,403,401");
    // The handlers did log (the level reached them), or the search below proves nothing.
    expect(output).toMatch(/"level":\s*"(DEBUG|INFO|WARN|ERROR)"/);
  });

  it("never prints either key on stdout or stderr", () => {
    expect(output).not.toContain(INGEST_KEY);
    expect(output).not.toContain(METRICS_KEY);
  });

  it("keeps them in no file of the data directory but the runtime file", async () => {
    const holding: string[] = [];
    for (const file of await files(dataDir)) {
      const bytes = unpacked(await readFile(file));
      if (bytes.includes(INGEST_KEY) || bytes.includes(METRICS_KEY)) holding.push(relative(dataDir, file));
    }
    expect(holding.sort()).toEqual(HOLDERS);
  });
});
