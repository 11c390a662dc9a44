/**
 * Sets up SST's platform (.sst/platform: its TypeScript sources, Pulumi and the AWS provider SDK)
 * so that `sst.config.ts` and `stacks/` can be typechecked and mock-synthesized with no AWS
 * account. Runs `sst install` only when the platform is missing or from another SST version.
 *
 *   node scripts/sst-install.ts           # install if needed
 *   node scripts/sst-install.ts --force   # reinstall
 *
 * Offline-safe: SST_SKIP_DEPENDENCY_CHECK stops the CLI from downloading Pulumi and bun, so only
 * the npm registry is needed (the CLI npm-installs the platform's packages).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Why the platform could not be set up. Deliberately not a `FreshetError`: this script must run,
 * and say "run `npm ci` first", before any workspace package or its dependencies can be loaded.
 */
export class SstInstallError extends Error {
  override readonly name = "SstInstallError";
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PLATFORM = join(ROOT, ".sst", "platform");

/** Files whose presence means the platform is usable: typings for tsc, Pulumi for the synth. */
const REQUIRED = [
  join(PLATFORM, "config.d.ts"),
  join(PLATFORM, "src", "auto", "run.ts"),
  join(PLATFORM, "node_modules", "@pulumi", "pulumi", "package.json"),
  join(PLATFORM, "node_modules", "@pulumi", "aws", "package.json"),
];

function cliVersion(): { version: string; bin: string } {
  // `sst` exports no ./package.json: resolve its entry point and climb to the package folder.
  const require = createRequire(join(ROOT, "package.json"));
  let dir: string;
  try {
    dir = dirname(require.resolve("sst"));
  } catch (cause) {
    throw new SstInstallError("the `sst` package is not installed: run `npm ci` at the repository root first", { cause });
  }
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  return { version, bin: join(dir, "bin", "sst.mjs") };
}

function installedVersion(): string | undefined {
  const file = join(PLATFORM, "version");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

export function sstInstall(options: { force?: boolean; log?: (line: string) => void } = {}): "installed" | "present" {
  const log = options.log ?? ((line: string) => console.log(line));
  const { version, bin } = cliVersion();
  const missing = REQUIRED.filter((file) => !existsSync(file));
  const current = installedVersion();
  if (!options.force && missing.length === 0 && current === version) {
    log(`sst-install: .sst/platform ${version} present, nothing to do`);
    return "present";
  }
  const why = options.force
    ? "--force"
    : missing.length > 0
      ? `missing ${missing.map((f) => f.slice(ROOT.length + 1)).join(", ")}`
      : `platform ${current ?? "unknown"} != sst ${version}`;
  log(`sst-install: running \`sst install\` (${why}) …`);

  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, "install", "--stage", process.env.SST_STAGE ?? "ci"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      SST_SKIP_DEPENDENCY_CHECK: "1",
      SST_NO_BUN: "1",
      SST_TELEMETRY_DISABLED: "1",
    },
  });
  if (result.error) throw new SstInstallError(`could not start the SST CLI (${bin})`, { cause: result.error });
  if (result.status !== 0) {
    throw new SstInstallError(
      `\`sst install\` exited with ${result.status ?? result.signal} (its reason is printed above). It ` +
        `bundles sst.config.ts with stacks/, then npm-installs the platform into .sst/platform (needs the ` +
        `npm registry). Fix the config or delete .sst/ and retry; for details run ` +
        `SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 npx sst install --stage ci --print-logs`,
    );
  }
  const stillMissing = REQUIRED.filter((file) => !existsSync(file));
  if (stillMissing.length > 0) {
    throw new SstInstallError(`\`sst install\` finished but did not create ${stillMissing.join(", ")}`);
  }
  log(`sst-install: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return "installed";
}

if (import.meta.main) {
  try {
    sstInstall({ force: process.argv.includes("--force") });
  } catch (error) {
    console.error(`sst-install: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.cause) console.error(error.cause);
    process.exitCode = 1;
  }
}
