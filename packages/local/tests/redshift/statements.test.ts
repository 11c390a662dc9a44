import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
} from "@aws-sdk/client-redshift-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceError, startRedshift, WORKGROUP, type RedshiftHarness } from "./harness.ts";

const LONG_QUERY = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b";

describe("Redshift Data API statements", () => {
  let h: RedshiftHarness;
  beforeAll(async () => {
    h = await startRedshift({ pageRows: 7 });
  });
  afterAll(() => h.dispose());

  it("runs ExecuteStatement asynchronously and describes it when finished", async () => {
    const started = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "CREATE TABLE t1 (id BIGINT, name VARCHAR(20))", StatementName: "create-t1" }));
    expect(started.Id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.Database).toBe("dev");
    expect(started.CreatedAt).toBeInstanceOf(Date);
    const done = await h.waitFor(started.Id!);
    expect(done).toMatchObject({ Status: "FINISHED", HasResultSet: false, QueryString: "CREATE TABLE t1 (id BIGINT, name VARCHAR(20))", WorkgroupName: "freshet" });
    expect(done.Duration).toBeGreaterThanOrEqual(0);
    expect(done.RedshiftPid).toBeGreaterThan(0);
    const insert = await h.sql("INSERT INTO t1 VALUES (1, 'a'), (2, 'b'), (3, NULL)");
    expect(insert.ResultRows).toBe(3);
  });

  it("returns typed fields with Redshift type names and pages with NextToken", async () => {
    await h.sql("CREATE TABLE typed (i INT, b BIGINT, d DOUBLE PRECISION, n DECIMAL(10,2), s VARCHAR, f BOOLEAN, ts TIMESTAMP, j SUPER)");
    await h.sql(`INSERT INTO typed VALUES (1, 9007199254740991, 1.5, 12.34, 'x', true, '2026-11-26 05:00:00', JSON_PARSE('{"a":1}')), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const out = await h.sql("SELECT * FROM typed ORDER BY i NULLS LAST");
    expect(out.HasResultSet).toBe(true);
    expect(out.ResultRows).toBe(2);
    const result = await h.client.send(new GetStatementResultCommand({ Id: out.Id! }));
    expect(result.ColumnMetadata!.map((c) => c.typeName)).toEqual(["int4", "int8", "float8", "numeric", "varchar", "bool", "timestamp", "super"]);
    expect(result.Records![0]).toEqual([
      { longValue: 1 },
      { longValue: 9007199254740991 },
      { doubleValue: 1.5 },
      { stringValue: "12.34" },
      { stringValue: "x" },
      { booleanValue: true },
      { stringValue: "2026-11-26 05:00:00" },
      { stringValue: '{"a":1}' },
    ]);
    expect(result.Records![1]!.every((f) => f.isNull === true)).toBe(true);
    expect(result.TotalNumRows).toBe(2);

    const many = await h.rows("SELECT range AS n FROM range(20) ORDER BY n");
    expect(many.map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_, n) => n));
    const first = await h.sql("SELECT range FROM range(20)");
    const page = await h.client.send(new GetStatementResultCommand({ Id: first.Id! }));
    expect(page.Records).toHaveLength(7);
    expect(page.NextToken).toBeDefined();
    expect(page.TotalNumRows).toBe(20);
  });

  it("binds :name parameters as text literals", async () => {
    const rows = await h.rows("SELECT id, name FROM t1 WHERE id >= :min AND name <> :skip ORDER BY id", { min: "1", skip: "it's" });
    expect(rows).toEqual([[1, "a"], [2, "b"]]);
  });

  it("fails a statement with Redshift-like errors and answers AWS error names", async () => {
    const { Id } = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "SELECT * FROM missing_table" }));
    const failed = await h.waitFor(Id!);
    expect(failed.Status).toBe("FAILED");
    expect(failed.Error).toMatch(/^ERROR: .*missing_table/);
    expect((await serviceError(h.client.send(new GetStatementResultCommand({ Id: Id! })))).name).toBe("ValidationException");
    expect((await serviceError(h.client.send(new DescribeStatementCommand({ Id: "00000000-0000-0000-0000-000000000000" })))).name).toBe("ResourceNotFoundException");
    expect((await serviceError(h.client.send(new ExecuteStatementCommand({ Database: "dev", Sql: "SELECT 1" })))).name).toBe("ValidationException");
    const noResult = await h.sql("CREATE TABLE t_no_result (a INT)");
    expect((await serviceError(h.client.send(new GetStatementResultCommand({ Id: noResult.Id! })))).message).toMatch(/does not have result/);
  });

  it("runs a batch in one transaction and rolls it back when a statement fails", async () => {
    await h.sql("CREATE TABLE ledger (k VARCHAR, v INT)");
    const { Id } = await h.client.send(
      new BatchExecuteStatementCommand({
        ...WORKGROUP,
        Sqls: ["BEGIN", "INSERT INTO ledger VALUES ('a', 1)", "CREATE TEMP TABLE stage (v INT)", "INSERT INTO stage SELECT v FROM ledger", "SELECT count(*) AS n FROM stage", "COMMIT"],
      }),
    );
    const ok = await h.waitFor(Id!);
    expect(ok.Status).toBe("FINISHED");
    expect(ok.SubStatements!.map((s) => s.Status)).toEqual(Array(6).fill("FINISHED"));
    expect(ok.SubStatements![4]!.Id).toBe(`${Id}:5`);
    const counted = await h.client.send(new GetStatementResultCommand({ Id: `${Id}:5` }));
    expect(counted.Records).toEqual([[{ longValue: 1 }]]);
    expect((await serviceError(h.client.send(new GetStatementResultCommand({ Id: Id! })))).name).toBe("ValidationException");

    const bad = await h.client.send(
      new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["INSERT INTO ledger VALUES ('b', 2)", "INSERT INTO ledger VALUES ('c', 'not a number')", "INSERT INTO ledger VALUES ('d', 4)"] }),
    );
    const failed = await h.waitFor(bad.Id!);
    expect(failed.Status).toBe("FAILED");
    expect(failed.Error).toMatch(/not a number/);
    expect(failed.SubStatements!.map((s) => s.Status)).toEqual(["FINISHED", "FAILED", "ABORTED"]);
    expect(await h.rows("SELECT k FROM ledger ORDER BY k")).toEqual([["a"]]);
    // The batch's temp table lived only for that batch.
    expect((await serviceError(h.sql("SELECT * FROM stage"))).message).toMatch(/FAILED/);
  });

  it("LOCK serialises two batches: the second waits, then sees what the first committed", async () => {
    await h.sql("CREATE TABLE claims (k VARCHAR(8) PRIMARY KEY, n INT)");
    await h.sql("CREATE TABLE claim_lock (name VARCHAR(8) PRIMARY KEY, holder VARCHAR(8))");
    await h.sql("INSERT INTO claim_lock VALUES ('one', NULL)");
    // Each batch claims 'k' unless a row is already there, and updates the lock row: without the
    // lock both would read no row, and one would abort on the lock row (or both insert).
    const batch = (holder: string) =>
      h.client.send(
        new BatchExecuteStatementCommand({
          ...WORKGROUP,
          Sqls: [
            "LOCK claim_lock",
            `UPDATE claim_lock SET holder = '${holder}' WHERE name = 'one'`,
            // Slow enough that the other batch is queued behind the lock, not after it.
            "CREATE TEMP TABLE pause AS SELECT sum(a.range * b.range) AS s FROM range(3000) a, range(3000) b",
            `INSERT INTO claims SELECT 'k', ${holder === "a" ? 1 : 2} WHERE NOT EXISTS (SELECT 1 FROM claims WHERE k = 'k')`,
            "SELECT count(*) FROM claims",
          ],
        }),
      );
    const [first, second] = await Promise.all([batch("a"), batch("b")]);
    const [a, b] = await Promise.all([h.waitFor(first.Id!), h.waitFor(second.Id!)]);
    expect([a.Status, b.Status]).toEqual(["FINISHED", "FINISHED"]);
    // One inserted, the other saw its row: exactly one claim, and the later batch's count is 1.
    expect(await h.rows("SELECT count(*) FROM claims")).toEqual([[1]]);
    const inserted = [a, b].map((d) => d.SubStatements![3]!.ResultRows);
    expect(inserted.sort()).toEqual([0, 1]);
    // They did not overlap: one started after the other ended.
    // (Sub-statements carry their batch's CreatedAt; the UPDATE's end tells which ran first.)
    const [early, late] = [a, b].sort((x, y) => x.SubStatements![1]!.UpdatedAt!.getTime() - y.SubStatements![1]!.UpdatedAt!.getTime());
    expect(late!.SubStatements![1]!.UpdatedAt!.getTime()).toBeGreaterThanOrEqual(early!.UpdatedAt!.getTime());
  });

  it("cancels a running statement (ABORTED) while the endpoint keeps answering", async () => {
    const { Id } = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: LONG_QUERY }));
    let status: string | undefined;
    for (let n = 0; n < 200 && status !== "STARTED"; n++) {
      status = (await h.client.send(new DescribeStatementCommand({ Id }))).Status;
      if (status !== "STARTED") await new Promise((r) => setTimeout(r, 5));
    }
    expect(status).toBe("STARTED");
    // Another statement and other requests are served while the long one runs: the quick one
    // finishes while the long one is still STARTED (queued behind it, it could not).
    expect(await h.rows("SELECT 40 + 2")).toEqual([[42]]);
    expect((await h.client.send(new DescribeStatementCommand({ Id }))).Status).toBe("STARTED");
    expect((await h.client.send(new CancelStatementCommand({ Id }))).Status).toBe(true);
    const aborted = await h.waitFor(Id!);
    expect(aborted.Status).toBe("ABORTED");
    expect((await serviceError(h.client.send(new CancelStatementCommand({ Id })))).name).toBe("ValidationException");
  });

  it("lists statements newest first, filtered by status and name, with paging", async () => {
    const all = await h.client.send(new ListStatementsCommand({ MaxResults: 3 }));
    expect(all.Statements).toHaveLength(3);
    expect(all.NextToken).toBeDefined();
    const times = all.Statements!.map((s) => s.CreatedAt!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const failed = await h.client.send(new ListStatementsCommand({ Status: "FAILED" }));
    expect(failed.Statements!.length).toBeGreaterThan(0);
    expect(failed.Statements!.every((s) => s.Status === "FAILED")).toBe(true);
    const named = await h.client.send(new ListStatementsCommand({ StatementName: "create-" }));
    expect(named.Statements!.map((s) => s.StatementName)).toEqual(["create-t1"]);
  });

  it("keeps a session's temp tables between statements with SessionKeepAliveSeconds", async () => {
    const first = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "CREATE TEMP TABLE s (a INT)", SessionKeepAliveSeconds: 60 }));
    expect(first.SessionId).toBeDefined();
    await h.waitFor(first.Id!);
    const second = await h.client.send(new ExecuteStatementCommand({ Sql: "INSERT INTO s VALUES (7)", SessionId: first.SessionId }));
    expect((await h.waitFor(second.Id!)).Status).toBe("FINISHED");
    const third = await h.client.send(new ExecuteStatementCommand({ Sql: "SELECT a FROM s", SessionId: first.SessionId }));
    await h.waitFor(third.Id!);
    expect((await h.client.send(new GetStatementResultCommand({ Id: third.Id! }))).Records).toEqual([[{ longValue: 7 }]]);
  });
});
