import { parseArgs } from "node:util";
import { LoadtestUsageError } from "./errors.ts";

export const USAGE = `usage: npm run loadtest -- [--rate N] [--duration S] [--burst] [--warmup S] [--drain S]

Runs the local pipeline (Load every second) and offers it N events/s for S seconds, then waits
until every valid event is a row and reads the audit. With --burst, 10 s at 3× the rate start at
30 s and every 60 s after. Progress on stderr (rates, lag, memory, where the CPU went); the last
line on stdout is one JSON object.
Exit 1 when an event is lost or duplicated, the audit does not balance, ingest refused events or
memory keeps growing after the warm-up; 2 on a usage error.

  --rate      events per second offered (default 10000)
  --duration  seconds of traffic (default 300)
  --burst     add the bursts
  --warmup    seconds before the memory-growth rule applies (default a quarter of the duration, at most 60)
  --drain     seconds after the last POST the pipeline gets to load everything (default 120); what is
              not a row by then counts as lost`;

export interface LoadtestOptions {
  readonly rate: number;
  readonly durationS: number;
  readonly burst: boolean;
  readonly warmupS: number;
  readonly drainS: number;
}

/** The command line, or a LoadtestUsageError (`help` when --help was asked). */
export function parseLoadtestArgs(argv: readonly string[]): LoadtestOptions | "help" {
  let values: { rate?: string; duration?: string; burst?: boolean; warmup?: string; drain?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        rate: { type: "string" },
        duration: { type: "string" },
        burst: { type: "boolean" },
        warmup: { type: "string" },
        drain: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    throw new LoadtestUsageError((error as Error).message, { cause: error });
  }
  if (values.help) return "help";
  const rate = positive(values.rate ?? "10000", "--rate");
  const durationS = positive(values.duration ?? "300", "--duration");
  const warmupS = values.warmup === undefined ? Math.min(60, durationS / 4) : positive(values.warmup, "--warmup", true);
  if (warmupS >= durationS) throw new LoadtestUsageError(`--warmup (${warmupS} s) must be shorter than --duration (${durationS} s)`);
  return { rate, durationS, burst: values.burst ?? false, warmupS, drainS: positive(values.drain ?? "120", "--drain") };
}

function positive(text: string, flag: string, zeroAllowed = false): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new LoadtestUsageError(`${flag} expects a ${zeroAllowed ? "non-negative" : "positive"} number, got ${JSON.stringify(text)}`);
  }
  return value;
}
