import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type ColumnMetadata,
  type DescribeStatementCommandOutput,
  type Field,
  type RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { setTimeout as sleep } from "node:timers/promises";
import { WarehouseQueryError } from "./errors.ts";

export interface Warehouse {
  readonly workgroup: string;
  readonly database: string;
}

export interface QueryOptions {
  /** Between DescribeStatement calls (default 25 ms); grows by `pollBackoff` up to 2 s. */
  readonly firstPollMs?: number;
  /**
   * Each wait is the previous one times this (default 2). Below 2 a short statement is seen
   * finished sooner (at most this factor − 1 of its run time late, once past `firstPollMs`),
   * for a few more DescribeStatement calls: about 30 more to reach the 2 s cap at 1.25.
   */
  readonly pollBackoff?: number;
  readonly deadlineMs?: number;
  /** Named parameters (`:from` in the SQL), as the Data API takes them. */
  readonly parameters?: readonly { readonly name: string; readonly value: string }[];
}

export type Cell = string | number | boolean | null;

/** Runs one SELECT through the Data API (submit, poll, read every page) and returns its rows. */
export async function query(client: RedshiftDataClient, warehouse: Warehouse, sql: string, options: QueryOptions = {}): Promise<Cell[][]> {
  return (await queryResult(client, warehouse, sql, options)).rows;
}

/** `query`, with the result's column metadata (names, and type names such as `numeric`, `timestamp`). */
export async function queryResult(
  client: RedshiftDataClient,
  warehouse: Warehouse,
  sql: string,
  options: QueryOptions = {},
): Promise<{ columns: ColumnMetadata[]; rows: Cell[][] }> {
  const { Id } = await client.send(
    new ExecuteStatementCommand({
      WorkgroupName: warehouse.workgroup,
      Database: warehouse.database,
      Sql: sql,
      ...(options.parameters ? { Parameters: options.parameters.map((p) => ({ ...p })) } : {}),
    }),
  );
  if (!Id) throw new WarehouseQueryError("ExecuteStatement returned no statement id");
  await finished(client, Id, options);
  const rows: Cell[][] = [];
  let columns: ColumnMetadata[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id, NextToken }));
    if (page.ColumnMetadata) columns = page.ColumnMetadata;
    for (const record of page.Records ?? []) rows.push(record.map(cellOf));
    NextToken = page.NextToken;
  } while (NextToken);
  return { columns, rows };
}

/** Runs statements as one BatchExecuteStatement (one transaction) to the end; throws unless FINISHED. */
export async function executeBatch(
  client: RedshiftDataClient,
  warehouse: Warehouse,
  sqls: readonly string[],
  statementName: string,
  options: QueryOptions = {},
): Promise<DescribeStatementCommandOutput> {
  const { Id } = await client.send(
    new BatchExecuteStatementCommand({ WorkgroupName: warehouse.workgroup, Database: warehouse.database, Sqls: [...sqls], StatementName: statementName }),
  );
  if (!Id) throw new WarehouseQueryError("BatchExecuteStatement returned no statement id");
  return finished(client, Id, options);
}

/** Polls DescribeStatement until FINISHED (returned) or FAILED/ABORTED/deadline (thrown). */
async function finished(client: RedshiftDataClient, Id: string, options: QueryOptions): Promise<DescribeStatementCommandOutput> {
  const deadline = Date.now() + (options.deadlineMs ?? 240_000);
  // Short first: a planner query often ends within tens of milliseconds, and every run waits on two.
  let wait = options.firstPollMs ?? 25;
  for (;;) {
    const d = await client.send(new DescribeStatementCommand({ Id }));
    if (d.Status === "FINISHED") return d;
    if (d.Status === "FAILED" || d.Status === "ABORTED") {
      throw new WarehouseQueryError(`statement ${Id} ${d.Status}: ${d.Error ?? "no error given"}`);
    }
    if (Date.now() > deadline) throw new WarehouseQueryError(`statement ${Id} still ${d.Status} at the deadline`);
    await sleep(wait);
    wait = nextPollMs(wait, options);
  }
}

const MAX_POLL_MS = 2000;

/** The wait after `wait` between DescribeStatement calls: `pollBackoff` times longer, at most 2 s. */
export function nextPollMs(wait: number, options: Pick<QueryOptions, "pollBackoff"> = {}): number {
  return Math.min(wait * Math.max(1, options.pollBackoff ?? 2), MAX_POLL_MS);
}

function cellOf(field: Field): Cell {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  return null;
}
