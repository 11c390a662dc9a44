/** `npm run loadtest` (see loadtest/main.ts), with libuv's thread pool sized before anything loads, as `npm start` does (packages/local/src/cli/start.ts says why). */
process.env.UV_THREADPOOL_SIZE ??= "16";
await import("./loadtest/main.ts");
