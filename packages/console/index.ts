import { fileURLToPath } from "node:url";

/** Where `build.ts` writes the page (index.html, the bundle, its styles and source maps): what the local platform serves. */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL("./dist/", import.meta.url));
