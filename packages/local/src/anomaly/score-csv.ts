import { readSeriesCsv, type SeriesColumns } from "./series-csv.ts";
import { SeriesScorer, type SeriesScorerOptions } from "./score-series.ts";

export const SCORED_CSV_HEADER = "timestamp,value,score,anomaly";

/**
 * `freshet anomalies score`'s work: a series CSV's lines in, `timestamp,value,score,anomaly`
 * lines out (through `write`, in chunks), each row scored and decided as it is read. Returns
 * the rows and alerts written.
 */
export async function scoreCsv(
  lines: AsyncIterable<string> | Iterable<string>,
  write: (chunk: string) => void | Promise<void>,
  options: SeriesScorerOptions & { readonly columns?: SeriesColumns } = {},
): Promise<{ rows: number; anomalies: number }> {
  const scorer = new SeriesScorer(options);
  let chunk = `${SCORED_CSV_HEADER}\n`;
  let rows = 0;
  let anomalies = 0;
  for await (const row of readSeriesCsv(lines, options.columns)) {
    const { score, anomaly } = scorer.push(row.at, row.value);
    chunk += `${csvField(row.timestamp)},${row.value},${round(score)},${anomaly ? 1 : 0}\n`;
    rows += 1;
    if (anomaly) anomalies += 1;
    if (chunk.length >= 64 * 1024) {
      await write(chunk);
      chunk = "";
    }
  }
  if (chunk) await write(chunk);
  return { rows, anomalies };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const csvField = (text: string): string => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
