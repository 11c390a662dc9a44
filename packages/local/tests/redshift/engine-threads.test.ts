import { availableParallelism } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdbThreads } from "../../src/redshift/engine/databases.ts";
import { startRedshift, type RedshiftHarness } from "./harness.ts";

/*
 * The local warehouse's DuckDB shares the machine with the rest of the platform: it gets half
 * the cores (see duckdbThreads), not DuckDB's default of all of them.
 */
describe("DuckDB threads of the local warehouse", () => {
  it("are half the cores, at least one", () => {
    expect([1, 2, 3, 4, 8, 16].map(duckdbThreads)).toEqual([1, 1, 1, 2, 4, 8]);
  });

  describe("on this machine", () => {
    let redshift: RedshiftHarness;
    beforeAll(async () => {
      redshift = await startRedshift();
    });
    afterAll(async () => {
      await redshift.dispose();
    });

    it("is what every session of a database runs with", async () => {
      const expected = duckdbThreads(availableParallelism());
      // Two statements, two sessions: the setting belongs to the database, not to one connection.
      expect(await redshift.rows("SELECT current_setting('threads')")).toEqual([[expected]]);
      expect(await redshift.rows("SELECT current_setting('threads')")).toEqual([[expected]]);
    });
  });
});
