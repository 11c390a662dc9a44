import { BatchExecuteStatementCommand, CancelStatementCommand, DescribeStatementCommand } from "@aws-sdk/client-redshift-data";
import { afterEach, describe, expect, it } from "vitest";
import type { HeldBatch, StatementFaults } from "../../src/redshift/index.ts";
import { startRedshift, WORKGROUP, type RedshiftHarness } from "./harness.ts";

/**
 * The test-only `beforeCommit` fault: a batch that has run its SQL waits to commit until the
 * test releases it, or until a cancel or a stop cuts it off and rolls it back.
 */
const open: RedshiftHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.dispose(); // a restarted one before the one it replaced: they share a data dir
});

/** A harness whose batches that insert into `held` are held before their commit. */
async function holding(release: Promise<void>): Promise<{ h: RedshiftHarness; held: Promise<HeldBatch> }> {
  const held = Promise.withResolvers<HeldBatch>();
  const faults: StatementFaults = {
    beforeCommit: (batch) => {
      if (!batch.queryStrings.some((sql) => sql.startsWith("INSERT INTO held"))) return undefined;
      held.resolve(batch);
      return release;
    },
  };
  const h = await startRedshift({ faults });
  open.push(h);
  await h.sql("CREATE TABLE held (n INT)");
  return { h, held: held.promise };
}

async function startHeldBatch(h: RedshiftHarness, held: Promise<HeldBatch>): Promise<string> {
  const { Id } = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["INSERT INTO held VALUES (1)", "INSERT INTO held VALUES (2)"], StatementName: "held-batch" }));
  expect(await held).toEqual({ id: Id, statementName: "held-batch", queryStrings: ["INSERT INTO held VALUES (1)", "INSERT INTO held VALUES (2)"] });
  return Id!;
}

describe("beforeCommit fault", () => {
  it("holds a batch that ran its SQL until released, then commits it", async () => {
    const release = Promise.withResolvers<void>();
    const { h, held } = await holding(release.promise);
    const id = await startHeldBatch(h, held);
    const during = await h.client.send(new DescribeStatementCommand({ Id: id }));
    expect(during.Status).toBe("STARTED");
    expect(during.SubStatements!.map((s) => s.Status)).toEqual(["FINISHED", "FINISHED"]);
    expect(await h.rows("SELECT COUNT(*) FROM held")).toEqual([[0]]); // not committed yet
    release.resolve();
    expect((await h.waitFor(id)).Status).toBe("FINISHED");
    expect(await h.rows("SELECT COUNT(*) FROM held")).toEqual([[2]]);
  });

  it("leaves other statements alone", async () => {
    const { h } = await holding(new Promise<void>(() => {}));
    const { Id } = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: ["CREATE TABLE other (n INT)", "INSERT INTO other VALUES (1)"] }));
    expect((await h.waitFor(Id!)).Status).toBe("FINISHED");
  });

  it("is cut short by CancelStatement: the batch is ABORTED and rolled back", async () => {
    const { h, held } = await holding(new Promise<void>(() => {}));
    const id = await startHeldBatch(h, held);
    expect((await h.client.send(new CancelStatementCommand({ Id: id }))).Status).toBe(true);
    expect((await h.waitFor(id)).Status).toBe("ABORTED");
    expect(await h.rows("SELECT COUNT(*) FROM held")).toEqual([[0]]);
  });

  it("is cut short by a stop: after a restart the batch is FAILED and its rows are not there", async () => {
    const { h, held } = await holding(new Promise<void>(() => {}));
    const id = await startHeldBatch(h, held);
    await h.stop();
    const again = await startRedshift({ dataDir: h.dataDir });
    open.push(again);
    const stopped = await again.client.send(new DescribeStatementCommand({ Id: id }));
    expect(stopped.Status).toBe("FAILED");
    expect(stopped.Error).toMatch(/stopped while this statement was running; its transaction was rolled back$/);
    expect(await again.rows("SELECT COUNT(*) FROM held")).toEqual([[0]]);
  });
});
