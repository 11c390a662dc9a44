import { SeriesCsvError } from "./errors.ts";

/** Which columns of a series CSV hold the time and the value. */
export interface SeriesColumns {
  readonly timeColumn: string;
  readonly valueColumn: string;
}
export const DEFAULT_SERIES_COLUMNS: SeriesColumns = { timeColumn: "timestamp", valueColumn: "value" };

export interface SeriesCsvRow {
  /** The time as written in the input (echoed to the output unchanged). */
  readonly timestamp: string;
  /** The same time as ISO-8601 UTC: what the decider orders and compares. */
  readonly at: string;
  readonly value: number;
}

/**
 * A series CSV (header first, one point a row, time increasing) as rows, streamed. Fields may be
 * double-quoted; a time without a zone is UTC (NAB's "2014-04-01 00:00:00"). Anything else is a
 * `SeriesCsvError` naming the line, before any later row is read.
 */
export async function* readSeriesCsv(lines: AsyncIterable<string> | Iterable<string>, columns: SeriesColumns = DEFAULT_SERIES_COLUMNS): AsyncGenerator<SeriesCsvRow> {
  let header: { time: number; value: number } | undefined;
  let line = 0;
  let previous: string | undefined;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === "") continue;
    const fields = splitCsvLine(text);
    if (!header) {
      header = headerIndices(fields, columns, line);
      continue;
    }
    const row = parseRow(fields, header, columns, line);
    if (previous !== undefined && row.at <= previous) throw new SeriesCsvError(`time ${row.timestamp} is not after the previous row's`, line);
    previous = row.at;
    yield row;
  }
  if (!header) throw new SeriesCsvError("the input is empty: a header with the time and value columns comes first", Math.max(line, 1));
}

function headerIndices(fields: string[], { timeColumn, valueColumn }: SeriesColumns, line: number): { time: number; value: number } {
  const time = fields.indexOf(timeColumn);
  const value = fields.indexOf(valueColumn);
  for (const [name, index] of [[timeColumn, time], [valueColumn, value]] as const) {
    if (index < 0) throw new SeriesCsvError(`no column ${JSON.stringify(name)} in the header (columns: ${fields.join(", ")})`, line);
  }
  return { time, value };
}

function parseRow(fields: string[], header: { time: number; value: number }, columns: SeriesColumns, line: number): SeriesCsvRow {
  const timestamp = fields[header.time] ?? "";
  const rawValue = fields[header.value] ?? "";
  const value = rawValue.trim() === "" ? Number.NaN : Number(rawValue);
  if (!Number.isFinite(value)) throw new SeriesCsvError(`${columns.valueColumn} ${JSON.stringify(rawValue)} is not a number`, line);
  const ms = Date.parse(hasZone(timestamp) ? timestamp : `${timestamp.trim().replace(" ", "T")}Z`);
  if (!Number.isFinite(ms)) throw new SeriesCsvError(`${columns.timeColumn} ${JSON.stringify(timestamp)} is not a time`, line);
  return { timestamp, at: new Date(ms).toISOString(), value };
}

const hasZone = (time: string): boolean => /(Z|[+-]\d\d:?\d\d)$/i.test(time.trim());

/** RFC 4180 fields of one line: commas separate, double quotes enclose, "" is a quote. */
export function splitCsvLine(text: string): string[] {
  if (!text.includes('"')) return text.split(",").map((f) => f.trim());
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === "," && !quoted) {
      fields.push(field.trim());
      field = "";
    } else {
      field += c;
    }
  }
  fields.push(field.trim());
  return fields;
}
