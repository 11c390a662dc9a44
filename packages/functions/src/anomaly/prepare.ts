import { anomalySettings, featuresCsv, incompleteMinutes, prepareSeries, unpackSeries, type SeriesRow } from "@freshet/core";
import { AnomalyStepInputError } from "../errors.ts";
import type { DataApiField, PrepareInput, PrepareOutput } from "./types.ts";

const fieldValue = (f: DataApiField | undefined): string | number | boolean | null =>
  f === undefined || f.IsNull ? null : (f.StringValue ?? f.LongValue ?? f.DoubleValue ?? f.BooleanValue ?? null);

/** The packed series query's records (`PACKED_SERIES_COLUMNS`) as per-minute rows. */
export function seriesRows(records: PrepareInput["records"], fromMinute: number): SeriesRow[] {
  if (!Array.isArray(records)) throw new AnomalyStepInputError("prepare needs the series query's records");
  return records.flatMap((r) => {
    const [metric, dimension, points] = r.map(fieldValue);
    if (typeof metric !== "string" || dimension === null || typeof points !== "string") {
      throw new AnomalyStepInputError(`not a packed series row: ${JSON.stringify(r).slice(0, 200)}`);
    }
    return unpackSeries(metric, String(dimension), points, fromMinute);
  });
}

/**
 * Records → each series' newest points and one CSV body of their shingled features. Minutes the
 * stage's data is incomplete for are left out (`incompleteMinutes`): downtime and backlogs are
 * for operators, not marketing.
 */
export function prepare(input: PrepareInput): PrepareOutput {
  if (!Number.isInteger(input.fromMinute) || !Number.isInteger(input.untilMinute) || input.untilMinute <= input.fromMinute) {
    throw new AnomalyStepInputError(`prepare needs whole minutes fromMinute < untilMinute, got ${input.fromMinute}, ${input.untilMinute}`);
  }
  const rows = seriesRows(input.records, input.fromMinute);
  const window = { fromMinute: input.fromMinute, untilMinute: input.untilMinute };
  const settings = anomalySettings(input.settings);
  const prepared = prepareSeries(rows, window, settings, undefined, { incompleteMinutes: incompleteMinutes(rows, window, settings) });
  return {
    series: prepared.map(({ metric, dimension, points }) => ({ metric, dimension, points })),
    csv: featuresCsv(prepared),
    points: prepared.reduce((n, s) => n + s.points.length, 0),
  };
}
