import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scoreCsv } from "../../packages/local/src/anomaly/score-csv.ts";
import { syntheticSet, writeSyntheticSet, seriesCsv } from "../evaluation/synthetic.ts";
import { againstGoal, format } from "./measure.ts";

/** The goal, "tens of thousands of rows in seconds", read as 50,000 rows in 10 s. */
const ROWS_GOAL = { op: ">", limit: 5_000, unit: "rows/s" } as const;
const DAYS = 14;

/**
 * `freshet anomalies score` over one synthetic 14-day per-minute series (20,160 rows): in process
 * (scoreCsv: parse, features, RCF score + update, decide, format) and as the CLI process reading
 * the file and writing stdout, start-up included.
 */
export async function benchAnomalyScore(): Promise<void> {
  const [series] = syntheticSet({ seed: 1, series: 1, days: DAYS });
  const lines = seriesCsv(series!).trimEnd().split("\n");
  const rows = lines.length - 1;

  let written = 0;
  const started = performance.now();
  await scoreCsv(lines, (chunk) => void (written += chunk.length));
  const inProcess = rows / ((performance.now() - started) / 1000);

  const dir = mkdtempSync(join(tmpdir(), "freshet-bench-anomaly-"));
  try {
    const [file] = writeSyntheticSet(dir, [series!]).files;
    const cliStarted = performance.now();
    execFileSync(process.execPath, ["packages/local/src/cli/freshet.ts", "anomalies", "score", "--input", file!], { stdio: ["ignore", "ignore", "ignore"] });
    const cliSeconds = (performance.now() - cliStarted) / 1000;
    console.log(`\nfreshet anomalies score (${format(rows)} rows, ${DAYS} days per minute, default settings; ${format(written / 1024)} KiB out)`);
    console.log(`  in process (scoreCsv)                    ${againstGoal(inProcess, ROWS_GOAL)}`);
    console.log(`  CLI process, start-up included           ${againstGoal(rows / cliSeconds, ROWS_GOAL)}   ${format(cliSeconds, 2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
