import { describe, expect, it } from "vitest";
import {
  buildHeldValuesQueries,
  buildHeldValuesQuery,
  buildRecordedBatchesQuery,
  InvalidLoadRequestError,
  LOADED_OBJECT_KEYS,
  MAX_KEYS_PER_LOOKUP,
  RECORDED_BATCH_IDS,
  UnsafeSqlValueError,
} from "@freshet/core";

describe("held-values lookups", () => {
  it("asks one table column for the values it holds", () => {
    expect(buildRecordedBatchesQuery(["b-1", "b'2"])).toBe("SELECT DISTINCT batch_id FROM batch_receipts WHERE batch_id IN ('b-1', 'b''2')");
    expect(buildHeldValuesQuery(LOADED_OBJECT_KEYS, ["processed/a.ndjson.gz"])).toBe(
      "SELECT object_key FROM load_ledger WHERE object_key IN ('processed/a.ndjson.gz')",
    );
  });

  it("chunks any number of values, each statement naming at most MAX_KEYS_PER_LOOKUP, every value once", () => {
    const ids = Array.from({ length: 2 * MAX_KEYS_PER_LOOKUP + 1 }, (_, i) => `batch-${i}`);
    const statements = buildHeldValuesQueries(RECORDED_BATCH_IDS, ids);
    expect(statements).toHaveLength(3);
    const named = statements.flatMap((s) => [...s.matchAll(/'(batch-\d+)'/g)].map((m) => m[1]));
    expect(named).toEqual(ids);
    expect(buildHeldValuesQueries(RECORDED_BATCH_IDS, [])).toEqual([]);
  });

  it("refuses a chunk of the wrong size (reason lookup_size) and a table or column that is not a plain name", () => {
    for (const size of [0, MAX_KEYS_PER_LOOKUP + 1]) {
      const values = Array.from({ length: size }, (_, i) => `k${i}`);
      expect(() => buildHeldValuesQuery(LOADED_OBJECT_KEYS, values)).toThrow(expect.objectContaining({ name: "InvalidLoadRequestError", reason: "lookup_size" }));
      expect(() => buildHeldValuesQuery(LOADED_OBJECT_KEYS, values)).toThrow(InvalidLoadRequestError);
    }
    expect(() => buildHeldValuesQuery({ table: "load_ledger; DROP TABLE events", column: "object_key", repeats: false }, ["k"])).toThrow(UnsafeSqlValueError);
    expect(() => buildHeldValuesQuery({ table: "load_ledger", column: "1", repeats: false }, ["k"])).toThrow(UnsafeSqlValueError);
  });
});
