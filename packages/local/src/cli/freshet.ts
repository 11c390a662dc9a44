#!/usr/bin/env node
/**
 * `freshet <command>`: the operator's CLI. Each command is a module under `commands/` exporting
 * `run(args: string[]): Promise<number>` (the exit code) and a one-line `summary`. Commands talk
 * to AWS through the SDK, so they work against a deployed stage (AWS_PROFILE/AWS_REGION) and,
 * unchanged, against a local `npm start` (they find its endpoint in `.freshet/runtime.json`).
 */
interface Command {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  // One line per command, in alphabetical order.
  alerts: () => import("./commands/alerts.ts"),
  anomalies: () => import("./commands/anomalies.ts"),
  audit: () => import("./commands/audit.ts"),
  dlq: () => import("./commands/dlq.ts"),
  executions: () => import("./commands/executions.ts"),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? COMMANDS[name] : undefined;
if (!load) {
  const lines = await Promise.all(
    Object.entries(COMMANDS).map(async ([n, l]) => `  ${n.padEnd(12)}${(await l()).summary}`),
  );
  console.log(`usage: freshet <command> [options]\n\ncommands:\n${lines.join("\n")}`);
  process.exit(name ? 2 : 0);
}
process.exitCode = await (await load()).run(args);
