import { createReadStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { scoreCsv } from "../../anomaly/score-csv.ts";
import { TRAINED, type ModelLifecycle } from "../../anomaly/score-series.ts";
import { SeriesCsvError } from "../../anomaly/errors.ts";

export const summary = "stream a series CSV through the detector: timestamp,value,score,anomaly";

const USAGE = `usage: freshet anomalies score --input <FILE.csv | -> [--time-column timestamp] [--value-column value]
                               [--model trained|streaming]

Streams a time series (CSV with a header, one row a minute, time increasing) through exactly the
path the AnomalyScoring workflow takes: the shingled, level-relative features, the Random Cut
Forest score, and the decider with its default threshold (mean + 3σ of recent scores) and
cooldown. No labels, no tuning. Writes CSV to stdout (a series in, a series out; there is no
--json): timestamp,value,score,anomaly, where anomaly is 1 on the rows where Freshet would raise
an alert and 0 elsewhere. The count of rows and alerts goes to stderr.

--model trained (the default) is production's model lifecycle: as \`freshet anomalies train\`
does on the warehouse, the first 1,440 rows (its default 24 hours) train a static forest (scored 0, no alerts), which
then scores every later row without learning. --model streaming: one forest scores each row and
then learns it (score 0 during its warm-up).`;

export async function run(args: string[]): Promise<number> {
  if (args.includes("--json")) {
    // Every other read takes --json; say why this one does not, and what to do instead.
    process.stderr.write(`freshet anomalies score writes CSV (timestamp,value,score,anomaly), not JSON: drop --json\n\n${USAGE}\n`);
    return 2;
  }
  let values: { input?: string; "time-column": string; "value-column": string; model: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        input: { type: "string", short: "i" },
        "time-column": { type: "string", default: "timestamp" },
        "value-column": { type: "string", default: "value" },
        model: { type: "string", default: "trained" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
    if (!values.help && !values.input) throw new Error("--input is required");
    if (values.model !== "trained" && values.model !== "streaming") throw new Error(`--model is trained or streaming, not ${values.model}`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const input = values.input === "-" ? process.stdin : createReadStream(values.input!);
  try {
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    const columns = { timeColumn: values["time-column"], valueColumn: values["value-column"] };
    const lifecycle: ModelLifecycle = values.model === "streaming" ? { kind: "streaming" } : TRAINED;
    const { rows, anomalies } = await scoreCsv(lines, writeStdout, { columns, lifecycle });
    process.stderr.write(`scored ${rows} row(s), ${anomalies} alert(s)\n`);
    return 0;
  } catch (error) {
    if (error instanceof SeriesCsvError || (error as NodeJS.ErrnoException).code === "ENOENT") {
      process.stderr.write(`${(error as Error).message}\n`);
      return error instanceof SeriesCsvError ? 1 : 2;
    }
    throw error;
  }
}

/** Writes to stdout, waiting when it is full (piped into a slower reader). */
async function writeStdout(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
}
