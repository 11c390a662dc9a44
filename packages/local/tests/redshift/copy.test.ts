import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand } from "@aws-sdk/client-redshift-data";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedshift, WORKGROUP, type RedshiftHarness } from "./harness.ts";

const BUCKET = "lake";
const TABLE = `CREATE TABLE IF NOT EXISTS events (
  event_id VARCHAR(64) NOT NULL, event_type VARCHAR(64), occurred_at TIMESTAMP, revenue DECIMAL(12,2),
  user_id VARCHAR(64), properties SUPER) DISTKEY(user_id) SORTKEY(occurred_at)`;

function event(n: number): Record<string, unknown> {
  return {
    event_id: `e-${n}`,
    event_type: n % 2 ? "purchase" : "page_view",
    occurred_at: new Date(Date.UTC(2026, 10, 26, 5, 0, n % 60)).toISOString(),
    revenue: n % 2 ? 10.5 : null,
    user_id: `u-${n % 100}`,
    properties: { plan: "pro", n },
    ignored_key: "not a column",
  };
}

function ndjsonGz(rows: readonly unknown[]): Uint8Array {
  return gzipSync(rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n");
}

function manifest(keys: readonly string[], mandatory = true): string {
  return JSON.stringify({ entries: keys.map((k) => ({ url: `s3://${BUCKET}/${k}`, mandatory, meta: { content_length: 1 } })) });
}

const copySql = (table: string, manifestKey: string, extra = "") =>
  `COPY ${table} FROM 's3://${BUCKET}/${manifestKey}' IAM_ROLE 'arn:aws:iam::000000000000:role/Copy' MANIFEST FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto' ${extra}`;

describe.each([
  { how: "through the S3 API", inPlace: false },
  { how: "reading the embedded S3's files in place", inPlace: true },
])("COPY … MANIFEST FORMAT AS JSON 'auto' from the local lake, $how", ({ inPlace }) => {
  let h: RedshiftHarness;
  beforeAll(async () => {
    h = await startRedshift({ inPlace });
    await h.sql(TABLE);
  });
  afterAll(() => h.dispose());

  it("loads gzip NDJSON files named by a manifest, mapping keys to columns", async () => {
    await h.putObject(BUCKET, "processed/dt=2026-11-26/hr=05/a.ndjson.gz", ndjsonGz([1, 2, 3].map(event)));
    await h.putObject(BUCKET, "processed/dt=2026-11-26/hr=05/b.ndjson.gz", ndjsonGz([4, 5].map(event)));
    await h.putObject(BUCKET, "manifests/m1.json", manifest(["processed/dt=2026-11-26/hr=05/a.ndjson.gz", "processed/dt=2026-11-26/hr=05/b.ndjson.gz"]));
    const out = await h.sql(copySql("events", "manifests/m1.json"));
    expect(out.ResultRows).toBe(5);
    expect(await h.rows("SELECT event_id, occurred_at, revenue, JSON_EXTRACT_PATH_TEXT(properties, 'plan') FROM events ORDER BY event_id LIMIT 2")).toEqual([
      ["e-1", "2026-11-26 05:00:01", "10.50", "pro"],
      ["e-2", "2026-11-26 05:00:02", null, "pro"],
    ]);
  });

  it("fails on a missing mandatory file and loads nothing", async () => {
    await h.putObject(BUCKET, "manifests/m2.json", manifest(["processed/dt=2026-11-26/hr=05/a.ndjson.gz", "processed/missing.ndjson.gz"]));
    await expect(h.sql(copySql("events", "manifests/m2.json"))).rejects.toThrow(/FAILED: .*The specified key does not exist.*missing\.ndjson\.gz/);
    expect(await h.rows("SELECT count(*) FROM events")).toEqual([[5]]);
    await h.putObject(BUCKET, "manifests/m3.json", manifest(["processed/missing.ndjson.gz"], false));
    await expect(h.sql(copySql("events", "manifests/m3.json"))).rejects.toThrow(/does not exist or holds no files/);
    await expect(h.sql(copySql("events", "manifests/none.json"))).rejects.toThrow(/Problem reading manifest file/);
  });

  it("fails on a malformed row, rolls back the batch, and records the row in the load-error tables", async () => {
    await h.putObject(BUCKET, "processed/bad.ndjson.gz", ndjsonGz([event(10), "{not json", { ...event(12), occurred_at: "yesterday" }]));
    await h.putObject(BUCKET, "manifests/bad.json", manifest(["processed/bad.ndjson.gz"]));
    const { BatchExecuteStatementCommand } = await import("@aws-sdk/client-redshift-data");
    const { Id } = await h.client.send(
      new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["CREATE TEMP TABLE stage (LIKE events)", copySql("stage", "manifests/bad.json"), "INSERT INTO events SELECT * FROM stage"] }),
    );
    const failed = await h.waitFor(Id!);
    expect(failed.Status).toBe("FAILED");
    expect(failed.Error).toMatch(/Load into table 'stage' failed. Check 'sys_load_error_detail'/);
    expect(failed.SubStatements!.map((s) => s.Status)).toEqual(["FINISHED", "FAILED", "ABORTED"]);
    expect(await h.rows("SELECT count(*) FROM events")).toEqual([[5]]);
    const queryId = failed.SubStatements![1]!.RedshiftQueryId!;
    expect(await h.rows(`SELECT file_name, line_number, column_name, error_code FROM sys_load_error_detail WHERE query_id = ${queryId} ORDER BY line_number`)).toEqual([
      ["s3://lake/processed/bad.ndjson.gz", 2, "", 1216],
      ["s3://lake/processed/bad.ndjson.gz", 3, "occurred_at", 1206],
    ]);
    const [stl] = await h.rows(`SELECT filename, line_number, raw_line, err_code FROM stl_load_errors WHERE query = ${queryId} ORDER BY line_number LIMIT 1`);
    expect(stl).toEqual(["s3://lake/processed/bad.ndjson.gz", 2, "{not json", 1216]);
  });

  it("skips malformed rows up to MAXERROR", async () => {
    const out = await h.sql(copySql("events", "manifests/bad.json", "MAXERROR 5"));
    expect(out.ResultRows).toBe(1);
    expect(await h.rows("SELECT event_id FROM events WHERE event_id = 'e-10'")).toEqual([["e-10"]]);
  });

  // How long it takes is measured by `npm run bench -- copy`.
  it("loads 200,000 events", async () => {
    const keys: string[] = [];
    for (let f = 0; f < 4; f++) {
      const key = `processed/big/${f}.ndjson.gz`;
      await h.putObject(BUCKET, key, ndjsonGz(Array.from({ length: 50_000 }, (_, n) => event(100_000 + f * 50_000 + n))));
      keys.push(key);
    }
    await h.putObject(BUCKET, "manifests/big.json", manifest(keys));
    await h.sql("CREATE TABLE big (LIKE events)");
    const out = await h.sql(copySql("big", "manifests/big.json"));
    expect(out.ResultRows).toBe(200_000);
  });
});

describe("restart", () => {
  it("keeps databases, statement records and results; a statement running at shutdown becomes FAILED", async () => {
    const h = await startRedshift();
    await h.sql("CREATE TABLE kept (a INT)");
    await h.sql("INSERT INTO kept VALUES (1), (2)");
    const done = await h.sql("SELECT count(*) FROM kept");
    const { Id: runningId } = await h.client.send(new ExecuteStatementCommand({ ...WORKGROUP, Sql: "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b" }));
    for (let n = 0; n < 200; n++) {
      if ((await h.client.send(new DescribeStatementCommand({ Id: runningId }))).Status === "STARTED") break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.stop();
    const again = await startRedshift({ dataDir: h.dataDir });
    try {
      expect((await again.client.send(new DescribeStatementCommand({ Id: done.Id }))).Status).toBe("FINISHED");
      // A client polling across the restart (the Load workflow reading its summary) still gets the rows.
      expect((await again.client.send(new GetStatementResultCommand({ Id: done.Id }))).Records).toEqual([[{ longValue: 2 }]]);
      const stopped = await again.client.send(new DescribeStatementCommand({ Id: runningId }));
      expect(stopped.Status).toBe("FAILED");
      expect(stopped.Error).toMatch(/stopped while this statement was running/);
      expect(await again.rows("SELECT count(*) FROM kept")).toEqual([[2]]);
    } finally {
      await again.dispose();
    }
  });
});
