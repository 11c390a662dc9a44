import { describe, expect, it } from "vitest";
import { SeriesCsvError } from "../../src/anomaly/errors.ts";
import { readSeriesCsv, splitCsvLine } from "../../src/anomaly/series-csv.ts";

async function read(lines: string[], columns?: { timeColumn: string; valueColumn: string }) {
  const rows = [];
  for await (const row of readSeriesCsv(lines, columns)) rows.push(row);
  return rows;
}
async function failure(lines: string[]): Promise<SeriesCsvError> {
  const error = await read(lines).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SeriesCsvError);
  return error as SeriesCsvError;
}

describe("a series CSV", () => {
  it("gives rows of the named columns, in any order, times without a zone read as UTC", async () => {
    const rows = await read(["value,extra,timestamp", "12.5,x,2014-04-01 00:00:00", "", "0,y,2014-04-01T02:01:00+02:00"]);
    expect(rows).toEqual([
      { timestamp: "2014-04-01 00:00:00", at: "2014-04-01T00:00:00.000Z", value: 12.5 },
      { timestamp: "2014-04-01T02:01:00+02:00", at: "2014-04-01T00:01:00.000Z", value: 0 },
    ]);
  });

  it("takes other column names and quoted fields", async () => {
    const rows = await read(['"when","count"', '"2026-01-05T00:00:00Z","3"'], { timeColumn: "when", valueColumn: "count" });
    expect(rows).toEqual([{ timestamp: "2026-01-05T00:00:00Z", at: "2026-01-05T00:00:00.000Z", value: 3 }]);
    expect(splitCsvLine('a,"b, ""c""",d')).toEqual(["a", 'b, "c"', "d"]);
  });

  it("refuses a missing column, a value that is not a number, a bad time, time going backwards and an empty input, naming the line", async () => {
    expect((await failure(["time,value"])).message).toBe('line 1: no column "timestamp" in the header (columns: time, value)');
    expect((await failure(["timestamp,value", "2026-01-05T00:00:00Z,1", "2026-01-05T00:01:00Z,abc"])).line).toBe(3);
    expect((await failure(["timestamp,value", "2026-01-05T00:00:00Z,"])).message).toMatch(/value "" is not a number/);
    expect((await failure(["timestamp,value", "yesterday,1"])).message).toMatch(/timestamp "yesterday" is not a time/);
    expect((await failure(["timestamp,value", "2026-01-05T00:01:00Z,1", "2026-01-05T00:01:00Z,2"])).line).toBe(3);
    expect((await failure([])).message).toMatch(/empty/);
  });
});
