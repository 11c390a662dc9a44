import { DescribeStatementCommand, ListStatementsCommand, type DescribeStatementCommandOutput, type RedshiftDataClient } from "@aws-sdk/client-redshift-data";

/*
 * What the load transaction spends its time on, read from the Data API's own records of the last
 * loads (`DescribeStatement` gives each statement of a batch its duration). Its rollup statements
 * read whole tables, so a load costs more as the warehouse grows: sampled early and late in a
 * run, this shows which statement grew.
 */

/** Loads averaged per sample. */
const LOADS = 5;
/** Statements reported per sample, the slowest first. */
const SHOWN = 5;
/** Characters of a statement's text that name it. */
const LABEL_CHARS = 60;

/** A statement of the load transaction and its mean duration over the loads sampled. */
export type StatementTime = readonly [label: string, ms: number];

/** A batch that inserts into `events` is a load (migrations and maintenance do not). */
const isLoad = (d: Pick<DescribeStatementCommandOutput, "SubStatements">): boolean => (d.SubStatements ?? []).some((s) => /^INSERT INTO events\b/.test(s.QueryString ?? ""));

/** The slowest statements, by mean duration over the loads among `described`; labels carry their position in the batch. */
export function slowestStatements(described: readonly Pick<DescribeStatementCommandOutput, "SubStatements">[]): StatementTime[] {
  const loads = described.filter(isLoad);
  const total = new Map<string, number>();
  for (const load of loads) {
    for (const [i, s] of (load.SubStatements ?? []).entries()) {
      const label = `${i + 1}. ${(s.QueryString ?? "").replace(/\s+/g, " ").slice(0, LABEL_CHARS)}`;
      total.set(label, (total.get(label) ?? 0) + Number(s.Duration ?? 0) / 1e6); // Duration is in nanoseconds
    }
  }
  return [...total]
    .map(([label, ms]): StatementTime => [label, Math.round(ms / loads.length)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, SHOWN);
}

/** The slowest statements of the last loads that finished; empty when none has (or the records cannot be read). */
export async function sampleLoadStatements(redshift: RedshiftDataClient): Promise<StatementTime[]> {
  try {
    const listed = await redshift.send(new ListStatementsCommand({ MaxResults: 100, Status: "FINISHED" }));
    const batches = (listed.Statements ?? []).filter((s) => s.IsBatchStatement === true && s.Id !== undefined);
    const described: DescribeStatementCommandOutput[] = [];
    for (const batch of batches) {
      if (described.length === LOADS) break;
      const d = await redshift.send(new DescribeStatementCommand({ Id: batch.Id! }));
      if (isLoad(d)) described.push(d);
    }
    return slowestStatements(described);
  } catch {
    return []; // a measurement, not the run's verdict
  }
}

/** "239 ms 25. INSERT INTO attribution_credits …; 146 ms 13. …". */
export function formatStatements(times: readonly StatementTime[]): string {
  return times.length === 0 ? "no load yet" : times.map(([label, ms]) => `${ms} ms ${label}…`).join("; ");
}
