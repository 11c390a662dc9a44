#!/usr/bin/env node
/**
 * `freshet <command>`: the operator's CLI (`npx freshet …`, the workspace's bin). Commands talk to
 * AWS through the SDK, so they work against a deployed stage (AWS_PROFILE/AWS_REGION) and,
 * unchanged, against a local `npm start` (they find its endpoint in `.freshet/runtime.json`).
 */
import { COMMANDS } from "./command-table.ts";
import { explainFailure } from "./errors.ts";

const [name, ...args] = process.argv.slice(2);

async function usage(): Promise<string> {
  const lines = await Promise.all(Object.entries(COMMANDS).map(async ([n, entry]) => `  ${n.padEnd(12)}${(await entry.load()).summary}`));
  const exceptions = Object.entries(COMMANDS).flatMap(([n, entry]) => Object.entries(entry.notJson ?? {}).map(([action, format]) => `${n}${action ? ` ${action}` : ""} writes ${format}`));
  return (
    `usage: freshet <command> [options]\n\ncommands:\n${lines.join("\n")}\n\n` +
    `\`freshet <command> --help\` explains a command; every command takes --json${exceptions.length ? ` (except: ${exceptions.join("; ")})` : ""}.`
  );
}

const entry = name ? COMMANDS[name] : undefined;
if (!entry) {
  const help = name === undefined || name === "--help" || name === "-h" || name === "help";
  if (!help) process.stderr.write(`unknown command '${name}'\n\n`);
  (help ? process.stdout : process.stderr).write(`${await usage()}\n`);
  process.exit(help ? 0 : 2);
}
try {
  process.exitCode = await (await entry.load()).run(args);
} catch (error) {
  // A command's own failures are printed by it; this is what escaped (no endpoint, no credentials).
  process.stderr.write(`${explainFailure(error)}\n`);
  process.exitCode = 1;
}
