/**
 * The `freshet` commands: each a module under `commands/` exporting `run(args)` (the exit code)
 * and a one-line `summary`. `actions` lists a command's subcommands; `reads` those (or `""`, the
 * command itself) that print what they find and so take `--json`. Tests walk this table.
 */
export interface Command {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

export interface CommandEntry {
  readonly load: () => Promise<Command>;
  readonly actions?: readonly string[];
  readonly reads: readonly string[];
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  // One line per command, in alphabetical order.
  alerts: { load: () => import("./commands/alerts.ts"), reads: [""] },
  anomalies: { load: () => import("./commands/anomalies.ts"), actions: ["train", "list", "score"], reads: ["list"] },
  audit: { load: () => import("./commands/audit.ts"), reads: [""] },
  dlq: { load: () => import("./commands/dlq.ts"), actions: ["summary", "show", "redrive"], reads: ["summary", "show"] },
  executions: { load: () => import("./commands/executions.ts"), actions: ["list", "show", "start", "stop"], reads: ["list", "show"] },
  "load-now": { load: () => import("./commands/load-now.ts"), reads: [""] },
  replay: { load: () => import("./commands/replay.ts"), reads: [""] },
};
