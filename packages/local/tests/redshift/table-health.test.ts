import { BatchExecuteStatementCommand, CancelStatementCommand, DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand } from "@aws-sdk/client-redshift-data";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeldVacuum } from "../../src/redshift/index.ts";
import { startRedshift, WORKGROUP, type RedshiftHarness } from "./harness.ts";

/**
 * SVV_TABLE_INFO's health numbers, VACUUM and ANALYZE on the embedded Data API, through the real
 * client: the numbers the Maintenance workflow decides on.
 */
interface Health {
  unsorted: string | null;
  stats_off: string;
  tbl_rows: string;
  estimated_visible_rows: string;
  sortkey1: string | null;
  sortkey_num: number;
}

async function health(h: RedshiftHarness, table: string): Promise<Health> {
  const rows = await h.rows(
    `SELECT unsorted, stats_off, tbl_rows, estimated_visible_rows, sortkey1, sortkey_num FROM svv_table_info WHERE "table" = :t`,
    { t: table },
  );
  expect(rows, `svv_table_info row of ${table}`).toHaveLength(1);
  const [unsorted, stats_off, tbl_rows, estimated_visible_rows, sortkey1, sortkey_num] = rows[0]! as [string | null, string, string, string, string | null, number];
  return { unsorted, stats_off, tbl_rows, estimated_visible_rows, sortkey1, sortkey_num };
}

async function failure(h: RedshiftHarness, request: ExecuteStatementCommand | BatchExecuteStatementCommand): Promise<string | undefined> {
  const { Id } = await h.client.send(request as ExecuteStatementCommand);
  const out = await h.waitFor(Id!);
  expect(out.Status).toBe("FAILED");
  return out.Error;
}

describe("SVV_TABLE_INFO, VACUUM and ANALYZE on the local engine", () => {
  let h: RedshiftHarness;
  beforeAll(async () => {
    h = await startRedshift();
  });
  afterAll(() => h.dispose());

  it("counts rows appended out of sort-key order as unsorted, and VACUUM SORT ONLY sorts them keeping every row", async () => {
    await h.sql("CREATE TABLE clicks (id BIGINT IDENTITY(1,1), ts INT, label VARCHAR(8)) DISTSTYLE EVEN SORTKEY (ts, label)");
    // Storage order 1 2 3 10 5 6 11 NULL 7: 5 and 6 are below 10 stored before them, 7 comes after
    // a NULL (the highest value); 11 and the NULL keep the order. 3 of 9 rows are unsorted.
    await h.sql("INSERT INTO clicks (ts, label) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await h.sql("INSERT INTO clicks (ts, label) VALUES (10, 'd')");
    await h.sql("INSERT INTO clicks (ts, label) VALUES (5, 'e'), (6, 'f')");
    await h.sql("INSERT INTO clicks (ts, label) VALUES (11, 'g'), (NULL, 'h'), (7, 'i')");
    expect(await health(h, "clicks")).toMatchObject({ unsorted: "33.33", sortkey1: "ts", sortkey_num: 2, tbl_rows: "9", estimated_visible_rows: "9" });
    const before = await h.rows("SELECT id, ts, label FROM clicks ORDER BY id");

    await h.sql("VACUUM SORT ONLY clicks");
    expect((await health(h, "clicks")).unsorted).toBe("0.00");
    // Read in storage order (no ORDER BY): sort-key order now, NULL last, every row kept as it was.
    const after = await h.rows("SELECT id, ts, label FROM clicks");
    expect(after.map((r) => r[1])).toEqual([1, 2, 3, 5, 6, 7, 10, 11, null]);
    expect([...after].sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(before);
    // The definition is kept: the identity sequence goes on after the existing ids.
    await h.sql("INSERT INTO clicks (ts, label) VALUES (12, 'j')");
    expect(await h.rows("SELECT id FROM clicks WHERE label = 'j'")).toEqual([[10]]);
  });

  it("skips the sort phase when more than the threshold percent of rows is sorted, as Redshift does", async () => {
    await h.sql("CREATE TABLE nearly (n INT) SORTKEY (n)");
    await h.sql("INSERT INTO nearly SELECT range FROM range(1, 25)");
    await h.sql("INSERT INTO nearly VALUES (0)");
    expect((await health(h, "nearly")).unsorted).toBe("4.00");
    await h.sql("VACUUM SORT ONLY nearly"); // 96 % sorted > the default 95 %: nothing to do
    expect((await health(h, "nearly")).unsorted).toBe("4.00");
    await h.sql("VACUUM SORT ONLY nearly TO 100 PERCENT BOOST");
    expect((await health(h, "nearly")).unsorted).toBe("0.00");
    expect(await h.rows("SELECT count(*), min(n), max(n) FROM nearly")).toEqual([[25, 0, 24]]);
  });

  it("reports NULL unsorted for a table without a sort key, in Redshift's default schema public", async () => {
    await h.sql("CREATE TABLE plain (n INT)");
    await h.sql("INSERT INTO plain VALUES (3), (1)");
    expect((await health(h, "plain")).unsorted).toBeNull();
    expect(await h.rows(`SELECT "schema", diststyle, sortkey_num FROM svv_table_info WHERE "table" = 'plain'`)).toEqual([["public", "AUTO(EVEN)", 0]]);
    await h.sql("VACUUM FULL public.plain");
    await h.sql("ANALYZE public.plain PREDICATE COLUMNS");
    expect((await health(h, "plain")).stats_off).toBe("0.00");
  });

  it("grows stats_off with rows inserted, updated and deleted since ANALYZE, which resets it", async () => {
    await h.sql("CREATE TABLE stats (id INT, v INT) SORTKEY (id)");
    await h.sql("INSERT INTO stats SELECT range, 0 FROM range(10)");
    expect((await health(h, "stats")).stats_off).toBe("100.00"); // 10 changed / 10 rows
    await h.sql("ANALYZE stats");
    expect((await health(h, "stats")).stats_off).toBe("0.00");
    await h.sql("DELETE FROM stats WHERE id < 2");
    expect((await health(h, "stats")).stats_off).toBe("25.00"); // 2 changed / 8 rows
    await h.sql("UPDATE stats SET v = 1 WHERE id = 5");
    expect((await health(h, "stats")).stats_off).toBe("37.50"); // 3 changed / 8 rows
    // A batch that fails rolls its changes back, and their count with them.
    const { Id } = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["INSERT INTO stats VALUES (100, 0)", "SELECT * FROM no_such_table"] }));
    expect((await h.waitFor(Id!)).Status).toBe("FAILED");
    expect((await health(h, "stats")).stats_off).toBe("37.50");
    // Creating a table that exists changes nothing (migrations and loads do it every time).
    await h.sql("CREATE TABLE IF NOT EXISTS stats (id INT, v INT) SORTKEY (id)");
    expect((await health(h, "stats")).stats_off).toBe("37.50");
    await h.sql("ANALYZE stats PREDICATE COLUMNS");
    expect((await health(h, "stats")).stats_off).toBe("0.00");
    await h.sql("INSERT INTO stats VALUES (20, 0), (21, 0)");
    await h.sql("INSERT INTO plain VALUES (4)");
    await h.sql("ANALYZE"); // every table
    expect((await health(h, "stats")).stats_off).toBe("0.00");
    expect((await health(h, "plain")).stats_off).toBe("0.00");
  });

  it("counts a batch's changes as one statement at a time would, in order with its own events", async () => {
    await h.sql("CREATE TABLE batched (id INT, v INT) SORTKEY (id)");
    await h.sql("INSERT INTO batched SELECT range, 0 FROM range(20)");
    await h.sql("ANALYZE batched");
    const batch = async (sqls: string[]) => expect((await h.waitFor((await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: sqls }))).Id!)).Status).toBe("FINISHED");
    const changes = async () => h.rows("SELECT table_name, event, changed, deleted FROM freshet_internal.table_changes WHERE table_name IN ('batched', 'scratch') ORDER BY seq");
    // Inserted, updated and deleted in one batch, a temporary table between: one log row, the sums.
    await batch([
      "INSERT INTO batched SELECT range, 0 FROM range(20, 28)",
      "CREATE TEMP TABLE scratch (id INT)",
      "INSERT INTO scratch VALUES (1), (2)",
      "UPDATE batched SET v = 1 WHERE id IN (SELECT id FROM scratch)",
      "DELETE FROM batched WHERE id = 27",
    ]);
    expect(await changes()).toEqual([["batched", "create", 0, 0], ["batched", "change", 20, 0], ["batched", "analyze", 0, 0], ["batched", "change", 11, 3]]);
    expect((await health(h, "batched")).stats_off).toBe("40.74"); // 11 changed / 27 rows
    // An ANALYZE in the batch resets what came before it and not what follows.
    await batch(["INSERT INTO batched VALUES (30, 0)", "ANALYZE batched", "INSERT INTO batched VALUES (31, 0), (32, 0)"]);
    expect((await changes()).slice(-3)).toEqual([["batched", "change", 1, 0], ["batched", "analyze", 0, 0], ["batched", "change", 2, 0]]);
    expect((await health(h, "batched")).stats_off).toBe("6.67"); // 2 changed / 30 rows
    // SVV_TABLE_INFO read inside the batch counts the batch's own changes so far.
    const { Id } = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["INSERT INTO batched VALUES (33, 0)", `SELECT stats_off FROM svv_table_info WHERE "table" = 'batched'`] }));
    expect((await h.waitFor(Id!)).Status).toBe("FINISHED");
    const read = await h.client.send(new GetStatementResultCommand({ Id: `${Id}:2` }));
    expect(read.Records?.map((r) => r.map((f) => f.stringValue))).toEqual([["9.68"]]); // 3 changed / 31 rows
    // A batch that wrote its changes so far (the read above makes it) and then fails leaves none.
    const logged = (await changes()).length;
    const failed = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["INSERT INTO batched VALUES (40, 0)", `SELECT stats_off FROM svv_table_info WHERE "table" = 'batched'`, "SELECT * FROM no_such_table"] }));
    expect((await h.waitFor(failed.Id!)).Status).toBe("FAILED");
    expect(await changes()).toHaveLength(logged);
    // TRUNCATE starts the table afresh after the rows changed before it in the batch.
    await batch(["INSERT INTO batched VALUES (41, 0), (42, 0), (43, 0)", "TRUNCATE batched", "INSERT INTO batched VALUES (44, 0)"]);
    expect((await changes()).slice(-3)).toEqual([["batched", "change", 3, 0], ["batched", "truncate", 0, 0], ["batched", "change", 1, 0]]);
  });

  it("leaves a batch's temporary tables out of the log, a dropped one too, and keeps a permanent table's changes a temporary one of its name hides", async () => {
    await h.sql("CREATE TABLE shadowed (id INT)");
    const { Id } = await h.client.send(
      new BatchExecuteStatementCommand({
        ...WORKGROUP,
        Sqls: [
          "CREATE TEMP TABLE dropped (id INT)",
          "INSERT INTO dropped VALUES (1)",
          "DROP TABLE dropped",
          "INSERT INTO shadowed VALUES (1), (2)",
          "CREATE TEMP TABLE shadowed (id INT)",
          "INSERT INTO shadowed VALUES (3)",
        ],
      }),
    );
    expect((await h.waitFor(Id!)).Status).toBe("FINISHED");
    expect(await h.rows("SELECT table_name, event, changed FROM freshet_internal.table_changes WHERE table_name IN ('dropped', 'shadowed') ORDER BY seq")).toEqual([["shadowed", "create", 0], ["shadowed", "change", 2]]);
  });

  it("counts rows a COPY loads as changed", async () => {
    await h.sql("CREATE TABLE copied (id INT, name VARCHAR(8))");
    await h.sql("ANALYZE copied");
    await h.putObject("lake", "copied/part-0.json.gz", gzipSync(`{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n`));
    await h.putObject("lake", "copied/manifest.json", JSON.stringify({ entries: [{ url: "s3://lake/copied/part-0.json.gz", mandatory: true }] }));
    await h.sql("COPY copied FROM 's3://lake/copied/manifest.json' IAM_ROLE 'arn:aws:iam::000000000000:role/Copy' MANIFEST FORMAT AS JSON 'auto' GZIP");
    expect(await health(h, "copied")).toMatchObject({ stats_off: "100.00", tbl_rows: "2" });
  });

  it("keeps deleted rows in tbl_rows but not in estimated_visible_rows until VACUUM DELETE ONLY", async () => {
    await h.sql("CREATE TABLE gone (id INT, v INT) SORTKEY (id)");
    await h.sql("INSERT INTO gone SELECT range, 0 FROM range(10)");
    await h.sql("DELETE FROM gone WHERE id >= 7");
    await h.sql("UPDATE gone SET v = 1 WHERE id = 0"); // Redshift marks the old version deleted
    expect(await health(h, "gone")).toMatchObject({ tbl_rows: "11", estimated_visible_rows: "7" });
    await h.sql("VACUUM DELETE ONLY gone");
    expect(await health(h, "gone")).toMatchObject({ tbl_rows: "7", estimated_visible_rows: "7", stats_off: "100.00" });
    await h.sql("ANALYZE gone");
    await h.sql("INSERT INTO gone VALUES (3, 9)"); // below the max: unsorted
    await h.sql("DELETE FROM gone WHERE id = 6");
    expect(await health(h, "gone")).toMatchObject({ tbl_rows: "8", estimated_visible_rows: "7", unsorted: "14.29", stats_off: "28.57" });
    await h.sql("VACUUM gone"); // FULL: sort and delete phases; statistics stay as they were
    expect(await health(h, "gone")).toMatchObject({ tbl_rows: "7", estimated_visible_rows: "7", unsorted: "0.00", stats_off: "28.57" });
    // The delete phase also drops the change rows no counter reads any more: the log stays short.
    expect(await h.rows("SELECT count(*) FROM freshet_internal.table_changes WHERE table_name = 'gone' AND event = 'change'")).toEqual([[2]]);
    await h.sql("TRUNCATE gone"); // empties the table and frees its space at once
    expect(await health(h, "gone")).toMatchObject({ tbl_rows: "0", estimated_visible_rows: "0", stats_off: "0.00", unsorted: "0.00" });
  });

  it("refuses VACUUM inside a transaction block with Redshift's message", async () => {
    const message = "ERROR: VACUUM cannot run inside a transaction block";
    expect(await failure(h, new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["INSERT INTO plain VALUES (5)", "VACUUM plain"] }))).toBe(message);
    expect(await failure(h, new ExecuteStatementCommand({ ...WORKGROUP, Sql: "BEGIN; VACUUM SORT ONLY plain; END" }))).toBe(message);
    expect(await h.rows("SELECT count(*) FROM plain WHERE n = 5")).toEqual([[0]]);
    // A session's BEGIN opens the block for its later statements too.
    const begun = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "BEGIN", SessionKeepAliveSeconds: 60 }));
    expect((await h.waitFor(begun.Id!)).Status).toBe("FINISHED");
    expect(await failure(h, new ExecuteStatementCommand({ Sql: "VACUUM plain", SessionId: begun.SessionId! }))).toBe(message);
    expect(await failure(h, new ExecuteStatementCommand({ ...WORKGROUP, Sql: "VACUUM missing_table" }))).toBe('ERROR: relation "missing_table" does not exist');
    expect(await failure(h, new ExecuteStatementCommand({ ...WORKGROUP, Sql: "VACUUM SORT plain" }))).toMatch(/^ERROR: syntax error in VACUUM/);
    expect(await failure(h, new ExecuteStatementCommand({ ...WORKGROUP, Sql: "VACUUM plain TO 101 PERCENT" }))).toMatch(/threshold must be an integer between 0 and 100/);
  });
});

describe("VACUUM while other statements run, and health across a restart", () => {
  it("answers other requests while a VACUUM rewrites a table, and keeps rows committed meanwhile", async () => {
    const release = Promise.withResolvers<void>();
    const held = Promise.withResolvers<HeldVacuum>();
    const h = await startRedshift({ faults: { duringVacuumSort: (vacuum) => (held.resolve(vacuum), release.promise) } });
    try {
      await h.sql("CREATE TABLE busy (n INT) SORTKEY (n)");
      await h.sql("INSERT INTO busy SELECT 1000 - range FROM range(1000)");
      const { Id } = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "VACUUM SORT ONLY busy", StatementName: "nightly" }));
      expect(await held.promise).toEqual({ id: Id, statementName: "nightly", table: "busy" });
      expect((await h.client.send(new DescribeStatementCommand({ Id }))).Status).toBe("STARTED");
      // The sorted copy is not committed: others read the table as it was, and append to it.
      expect(await h.rows("SELECT count(*) FROM busy")).toEqual([[1000]]);
      await h.sql("INSERT INTO busy VALUES (5000)");
      release.resolve();
      expect((await h.waitFor(Id!)).Status).toBe("FINISHED");
      expect(await h.rows("SELECT count(*), count(DISTINCT n), max(n) FROM busy")).toEqual([[1001, 1001, 5000]]);
    } finally {
      release.resolve();
      await h.dispose();
    }
  });

  it("rolls a cancelled VACUUM's rewrite back: the table is as it was", async () => {
    const held = Promise.withResolvers<HeldVacuum>();
    const h = await startRedshift({ faults: { duringVacuumSort: (vacuum) => (held.resolve(vacuum), new Promise<void>(() => undefined)) } });
    try {
      await h.sql("CREATE TABLE undone (n INT) SORTKEY (n)");
      await h.sql("INSERT INTO undone VALUES (3), (1), (2)");
      const { Id } = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "VACUUM SORT ONLY undone" }));
      await held.promise;
      await h.client.send(new CancelStatementCommand({ Id }));
      expect((await h.waitFor(Id!)).Status).toBe("ABORTED");
      expect(await h.rows("SELECT n FROM undone")).toEqual([[3], [1], [2]]);
      expect((await health(h, "undone")).unsorted).toBe("66.67");
    } finally {
      await h.dispose();
    }
  });

  it("keeps the counters across an endpoint restart", async () => {
    const first = await startRedshift();
    await first.sql("CREATE TABLE kept (n INT) SORTKEY (n)");
    await first.sql("INSERT INTO kept VALUES (2), (1), (3), (4)");
    await first.sql("DELETE FROM kept WHERE n = 4");
    const before = await health(first, "kept");
    expect(before).toMatchObject({ unsorted: "33.33", stats_off: "100.00", tbl_rows: "4", estimated_visible_rows: "3" });
    await first.stop();
    const second = await startRedshift({ dataDir: first.dataDir });
    try {
      expect(await health(second, "kept")).toEqual(before);
    } finally {
      await second.dispose();
    }
  });
});
