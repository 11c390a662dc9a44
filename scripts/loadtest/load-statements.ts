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
/** Characters of a statement's text (its literals blanked) that name it. */
const LABEL_CHARS = 60;
/** The Load workflow names each load's batch `freshet-load-<load id>` (workflows' load.ts). */
const LOAD_STATEMENT_NAME = "freshet-load-";

/** A statement of the load transaction and its mean duration over the loads that ran it. */
export type StatementTime = readonly [label: string, ms: number];

/** What one sample found: how many loads it averaged, their slowest statements, or why it could not read them. */
export interface LoadStatementsSample {
  readonly loads: number;
  readonly slowest: readonly StatementTime[];
  readonly error?: string;
}

/** A statement's name: its text with literals blanked (a load id, a manifest URL) and whitespace collapsed, cut short. */
function labelOf(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "'…'").replace(/\s+/g, " ").slice(0, LABEL_CHARS);
}

/** The slowest statements of `loads`, each by its mean duration over the loads that ran it. */
export function slowestStatements(loads: readonly Pick<DescribeStatementCommandOutput, "SubStatements">[]): StatementTime[] {
  const totals = new Map<string, { ms: number; runs: number }>();
  for (const load of loads) {
    for (const s of load.SubStatements ?? []) {
      const label = labelOf(s.QueryString ?? "");
      const t = totals.get(label) ?? { ms: 0, runs: 0 };
      totals.set(label, { ms: t.ms + Number(s.Duration ?? 0) / 1e6, runs: t.runs + 1 }); // Duration is in nanoseconds
    }
  }
  return [...totals]
    .map(([label, t]): StatementTime => [label, Math.round(t.ms / t.runs)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, SHOWN);
}

/** The slowest statements of the last loads that finished. A failure to read them is reported, not thrown: this is a measurement. */
export async function sampleLoadStatements(redshift: RedshiftDataClient): Promise<LoadStatementsSample> {
  try {
    const listed = await redshift.send(new ListStatementsCommand({ MaxResults: LOADS, Status: "FINISHED", StatementName: LOAD_STATEMENT_NAME }));
    const loads: DescribeStatementCommandOutput[] = [];
    for (const s of listed.Statements ?? []) if (s.Id !== undefined) loads.push(await redshift.send(new DescribeStatementCommand({ Id: s.Id })));
    return { loads: loads.length, slowest: slowestStatements(loads) };
  } catch (error) {
    return { loads: 0, slowest: [], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** "over 5 loads: 239 ms INSERT INTO attribution_credits …; 146 ms …". */
export function formatStatements(sample: LoadStatementsSample): string {
  if (sample.error !== undefined) return `not read (${sample.error})`;
  if (sample.loads === 0) return "no load yet";
  return `over ${sample.loads} load${sample.loads === 1 ? "" : "s"}: ${sample.slowest.map(([label, ms]) => `${ms} ms ${label}…`).join("; ")}`;
}
