import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A `freshet <command> <action> …` line, read; or the exit code when there is nothing to run. */
export type SubcommandArgs<V> = { readonly values: V; readonly action: string; readonly rest: string[] } | { readonly exitCode: number };

/**
 * Reads the options and the action of a command with actions (`executions list`, `dlq show …`):
 * a bad option prints it with the usage (exit 2), `--help` the usage (exit 0), no action the usage
 * (exit 2), as every Freshet command answers them.
 */
export function parseSubcommand<V>(args: string[], options: ParseArgsOptionsConfig, usage: string): SubcommandArgs<V> {
  let values: V & { help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true }) as unknown as {
      values: V & { help?: boolean };
      positionals: string[];
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return { exitCode: 2 };
  }
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    process.stdout.write(`${usage}\n`);
    return { exitCode: values.help ? 0 : 2 };
  }
  return { values, action, rest };
}

/** A `freshet <command> …` line without actions, read; or the exit code when there is nothing to run. */
export type CommandArgs<V> = { readonly values: V } | { readonly exitCode: number };

/**
 * Reads the options of a command without actions (`load-now`, `alerts`), answering a bad option
 * and `--help` as `parseSubcommand` does.
 */
export function parseCommand<V>(args: string[], options: ParseArgsOptionsConfig, usage: string): CommandArgs<V> {
  let values: V & { help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: false }) as unknown as { values: V & { help?: boolean } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return { exitCode: 2 };
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return { exitCode: 0 };
  }
  return { values };
}
