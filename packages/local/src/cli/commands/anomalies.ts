/**
 * `freshet anomalies <subcommand>`: the anomaly detector's operator commands. Each subcommand is
 * a module exporting `run(args)` and a one-line `summary`, loaded on demand.
 */
interface Subcommand {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  // One line per subcommand, in alphabetical order.
  score: () => import("./anomalies-score.ts"),
};

export const summary = "anomaly detection: score a series CSV as Freshet would";

export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const load = name ? SUBCOMMANDS[name] : undefined;
  if (!load) {
    const lines = await Promise.all(Object.entries(SUBCOMMANDS).map(async ([n, l]) => `  ${n.padEnd(10)}${(await l()).summary}`));
    (name && name !== "--help" && name !== "-h" ? process.stderr : process.stdout).write(`usage: freshet anomalies <subcommand> [options]\n\nsubcommands:\n${lines.join("\n")}\n`);
    return name && name !== "--help" && name !== "-h" ? 2 : 0;
  }
  return (await load()).run(rest);
}
