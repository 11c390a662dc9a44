/**
 * `npm start`'s entry (the pipeline itself starts in start-local.ts).
 *
 * First, before any module loads, libuv's thread pool gets 16 threads instead of 4: the pool's
 * size is read once, when it first runs work, and module loading already does. The embedded
 * platform shares that pool between the lake's file writes and the warehouse: DuckDB runs each
 * statement on a pool thread for its whole duration, so with 4 threads a few warehouse statements
 * (a Load, the planner's reads, a dashboard) left the lake's writes queueing. An operator's own
 * UV_THREADPOOL_SIZE wins. `npm run loadtest` and `npm run bench` start the same way.
 */
process.env.UV_THREADPOOL_SIZE ??= "16";
await import("./start-local.ts");
