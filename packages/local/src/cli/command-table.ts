/**
 * The `freshet` commands: each a module under `commands/` exporting `run(args)` (the exit code)
 * and a one-line `summary`. `actions` lists a command's subcommands. Every command and action
 * answers `--help` and takes `--json`, except those in `notJson` (the action, or `""` for the
 * command itself, and the format it writes instead), which refuse `--json` saying so. Tests walk
 * this table and each command's usage.
 */
export interface Command {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

export interface CommandEntry {
  readonly load: () => Promise<Command>;
  readonly actions?: readonly string[];
  readonly notJson?: Readonly<Record<string, string>>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  // One line per command, in alphabetical order.
  alerts: { load: () => import("./commands/alerts.ts") },
  // score: a series CSV in, the same series scored out, for spreadsheets and the evaluation scripts.
  anomalies: { load: () => import("./commands/anomalies.ts"), actions: ["train", "list", "score"], notJson: { score: "CSV" } },
  audit: { load: () => import("./commands/audit.ts") },
  dlq: { load: () => import("./commands/dlq.ts"), actions: ["summary", "show", "redrive"] },
  executions: { load: () => import("./commands/executions.ts"), actions: ["list", "show", "start", "stop"] },
  "load-now": { load: () => import("./commands/load-now.ts") },
  replay: { load: () => import("./commands/replay.ts") },
};
