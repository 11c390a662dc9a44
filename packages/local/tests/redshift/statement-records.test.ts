import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedshiftStorageError } from "../../src/redshift/errors.ts";
import { StatementRecords, type StatementRecord, type StatementStatus } from "../../src/redshift/statements/records.ts";
import { ResultStore } from "../../src/redshift/statements/result-store.ts";
import type { ResultSet } from "../../src/redshift/engine/results.ts";

/**
 * The Data API's statement records and results stay within their limits however long the
 * platform runs: an `npm start` of an hour and a half once wrote a 2.2 GB journal of load
 * batches, held it in memory, and died rewriting it as one string.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "freshet-records-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(id: string, sqlChars: number, status: StatementStatus = "FINISHED"): StatementRecord {
  return {
    id,
    isBatch: false,
    queryString: "x".repeat(sqlChars),
    database: "freshet",
    redshiftPid: 1,
    status,
    hasResultSet: false,
    resultRows: 0,
    resultSize: 0,
    redshiftQueryId: 1,
    createdAt: 0,
    updatedAt: 0,
    durationNs: status === "FINISHED" ? 1 : -1,
  };
}

describe("StatementRecords", () => {
  it("lets the oldest finished records go past the SQL budget, keeps unfinished ones, and says which went", async () => {
    const records = new StatementRecords(dir, { sqlChars: 1000 });
    const forgotten: string[] = [];
    records.onForget = (r) => forgotten.push(r.id);
    records.add(record("running", 400, "STARTED"));
    for (let i = 0; i < 5; i++) records.add(record(`done-${i}`, 300));
    // 400 (running, kept) + the newest two of 300: the third newest would exceed 1000.
    expect(records.list().map((r) => r.id)).toEqual(["done-4", "done-3", "running"]);
    expect(forgotten).toEqual(["done-0", "done-1", "done-2"]);
    await records.flush();
  });

  it("keeps its journal within a few times the budget while big batches keep coming, and reopens with the newest", async () => {
    const records = new StatementRecords(dir, { sqlChars: 1_000_000 });
    for (let i = 0; i < 200; i++) {
      records.add(record(`load-${i}`, 200_000));
      await records.flush();
    }
    records.closeSync();
    // 40 MB of SQL went through; the journal holds the kept records plus the compaction slack.
    const { size } = await stat(join(dir, "statements.jsonl"));
    expect(size).toBeLessThan(12_000_000);
    const reopened = new StatementRecords(dir, { sqlChars: 1_000_000 });
    expect(reopened.list().map((r) => r.id)).toEqual(["load-199", "load-198", "load-197", "load-196", "load-195"]);
  });

  it("reads a journal larger than its limits line by line, a line longer than a read chunk included, and keeps the newest", async () => {
    const lines = [JSON.stringify({ q: 7, p: 9 })];
    for (let i = 0; i < 50; i++) lines.push(JSON.stringify({ r: record(`old-${i}`, 100_000) }));
    lines.push(JSON.stringify({ r: record("huge", 9 * 1024 * 1024) }));
    lines.push(JSON.stringify({ r: record("last", 10) }));
    await writeFile(join(dir, "statements.jsonl"), `${lines.join("\n")}\n{"r":{"id":"torn`);
    const records = new StatementRecords(dir, { sqlChars: 10 * 1024 * 1024 });
    // 10 MiB: "last" and "huge" (9 MiB) leave room for the ten newest of 100,000 characters.
    const olds = Array.from({ length: 10 }, (_, i) => `old-${49 - i}`);
    expect(records.list().map((r) => r.id)).toEqual(["last", "huge", ...olds]);
    expect(records.get("huge")?.queryString?.length).toBe(9 * 1024 * 1024);
    expect(records.nextQueryId).toBe(7);
  });

  it("refuses a journal damaged before its last line", async () => {
    await writeFile(join(dir, "statements.jsonl"), `${JSON.stringify({ r: record("a", 1) })}\n{broken\n${JSON.stringify({ r: record("b", 1) })}\n`);
    expect(() => new StatementRecords(dir)).toThrow(RedshiftStorageError);
  });
});

describe("ResultStore", () => {
  const result = (n: number): ResultSet => ({ columns: [], kinds: [], rows: [["y".repeat(n)]], size: n });
  const files = async () => (await readdir(join(dir, "results"))).sort();

  it("removes the oldest result files past its byte budget, and a result on request", async () => {
    const store = new ResultStore(dir, 5_000);
    for (let i = 0; i < 10; i++) {
      store.set(`s-${i}`, result(1_000));
      await store.flush();
    }
    await new Promise((resolve) => setImmediate(resolve));
    const kept = await files();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(5);
    expect(kept).toContain("s-9.json");
    expect(kept).not.toContain("s-0.json");
    store.delete("s-9");
    expect(await files()).not.toContain("s-9.json");
    expect(store.get("s-9")).toBeUndefined();
    // A new store over files beyond its budget keeps the newest.
    const smaller = new ResultStore(dir, 2_500);
    expect((await files()).length).toBeLessThan(kept.length);
    expect(smaller.get("s-8")).toBeDefined();
  });
});
