import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { CONSOLE_DIST_DIR } from "./index.ts";

/**
 * Builds the console into dist/: `src/main.tsx` (Preact, uPlot and their CSS) bundled by esbuild
 * into one ES module with its stylesheet and source maps, beside `src/index.html`. Runs from the
 * root `prepare` script (so `npm ci` builds it) and from vitest's global setup (so tests see the
 * current sources); never by hand. Takes well under a second.
 */
export async function buildConsole(): Promise<void> {
  const src = fileURLToPath(new URL("./src/", import.meta.url));
  await rm(CONSOLE_DIST_DIR, { recursive: true, force: true });
  await mkdir(CONSOLE_DIST_DIR, { recursive: true });
  await build({
    entryPoints: { main: `${src}main.tsx` },
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    sourcemap: true,
    legalComments: "linked",
    outdir: CONSOLE_DIST_DIR,
    logLevel: "warning",
  });
  await copyFile(`${src}index.html`, `${CONSOLE_DIST_DIR}index.html`);
}

/** Vitest's global setup (vitest.config.ts). */
export { buildConsole as setup };

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
