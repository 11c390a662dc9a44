import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/tests/**/*.test.ts", "stacks/tests/**/*.test.ts", "scripts/tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // At least two files at once. Vitest's default (cores − 1) runs one at a time on two cores,
    // where much of a file's time is waiting (timers, round trips) or one thread: two at once
    // took the suite from 667 s to 429–432 s on a 2-core machine, every test passing each time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The console's page is built from its sources before any test (the browser test serves it).
    globalSetup: ["packages/console/build.ts"],
  },
});
