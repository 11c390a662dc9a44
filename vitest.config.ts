import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/tests/**/*.test.ts", "stacks/tests/**/*.test.ts", "scripts/tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The console's page is built from its sources before any test (the browser test serves it).
    globalSetup: ["packages/console/build.ts"],
  },
});
