import { anomalySettings, featuresCsv, prepareSeries, type SeriesRow } from "@freshet/core";
import { AnomalyStepInputError } from "../errors.ts";
import type { DataApiField, PrepareInput, PrepareOutput } from "./types.ts";

const fieldValue = (f: DataApiField | undefined): string | number | boolean | null =>
  f === undefined || f.IsNull ? null : (f.StringValue ?? f.LongValue ?? f.DoubleValue ?? f.BooleanValue ?? null);

/** The series query's records (`SERIES_COLUMNS`) as rows. */
export function seriesRows(records: PrepareInput["records"]): SeriesRow[] {
  if (!Array.isArray(records)) throw new AnomalyStepInputError("prepare needs the series query's records");
  return records.map((r) => {
    const [metric, dimension, minute, value] = r.map(fieldValue);
    if (typeof metric !== "string" || dimension === null || typeof minute !== "number") {
      throw new AnomalyStepInputError(`not a series row: ${JSON.stringify(r).slice(0, 200)}`);
    }
    return { metric, dimension: String(dimension), minute, value: value === null ? null : Number(value) };
  });
}

/** Records → each series' newest points and one CSV body of their shingled features. */
export function prepare(input: PrepareInput): PrepareOutput {
  if (!Number.isInteger(input.fromMinute) || !Number.isInteger(input.untilMinute) || input.untilMinute <= input.fromMinute) {
    throw new AnomalyStepInputError(`prepare needs whole minutes fromMinute < untilMinute, got ${input.fromMinute}, ${input.untilMinute}`);
  }
  const prepared = prepareSeries(seriesRows(input.records), input, anomalySettings(input.settings));
  return {
    series: prepared.map(({ metric, dimension, points }) => ({ metric, dimension, points })),
    csv: featuresCsv(prepared),
    points: prepared.reduce((n, s) => n + s.points.length, 0),
  };
}
