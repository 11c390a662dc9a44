import { BatchExecuteStatementCommand, GetStatementResultCommand, type DescribeStatementCommandOutput } from "@aws-sdk/client-redshift-data";
import {
  buildApplyMigrationStatements,
  CREATE_SCHEMA_MIGRATIONS,
  MIGRATIONS,
  pendingMigrations,
  SELECT_APPLIED_MIGRATIONS,
  type AppliedMigration,
} from "@freshet/core";
import { plain, startRedshift, WORKGROUP, type RedshiftHarness } from "../redshift/harness.ts";

export interface Warehouse extends RedshiftHarness {
  /** Runs statements as one BatchExecuteStatement (one transaction) and waits for the end. */
  batch(sqls: readonly string[]): Promise<DescribeStatementCommandOutput>;
  /** Applies the pending migrations the way a deploy does; returns the versions applied. */
  migrate(): Promise<number[]>;
}

/** A fresh local warehouse: the Data API on DuckDB plus S3 on one embedded endpoint. */
export async function startWarehouse(): Promise<Warehouse> {
  const h = await startRedshift();
  const warehouse: Warehouse = Object.assign(h, {
    async batch(sqls: readonly string[]) {
      const { Id } = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: [...sqls] }));
      return h.waitFor(Id!);
    },
    async migrate() {
      await h.sql(CREATE_SCHEMA_MIGRATIONS);
      const applied = (await h.rows(SELECT_APPLIED_MIGRATIONS)).map(([version, , checksum]): AppliedMigration => ({ version: Number(version), checksum: String(checksum) }));
      const done: number[] = [];
      for (const migration of pendingMigrations(applied, MIGRATIONS)) {
        const out = await warehouse.batch(buildApplyMigrationStatements(migration));
        if (out.Status !== "FINISHED") throw new Error(`migration ${migration.version} ${out.Status}: ${out.Error}`);
        done.push(migration.version);
      }
      return done;
    },
  });
  return warehouse;
}

/** Rows of a query as objects keyed by column name, values as the Data API typed them. */
export async function records(h: RedshiftHarness, sql: string): Promise<Record<string, unknown>[]> {
  const out = await h.sql(sql);
  const rows: Record<string, unknown>[] = [];
  let token: string | undefined;
  do {
    const page = await h.client.send(new GetStatementResultCommand({ Id: out.Id!, NextToken: token }));
    const names = (page.ColumnMetadata ?? []).map((c) => c.name!);
    for (const record of page.Records ?? []) rows.push(Object.fromEntries(record.map((field, n) => [names[n]!, plain(field)])));
    token = page.NextToken;
  } while (token);
  return rows;
}

/** `2026-11-26 05:00:00[.123]` as Redshift returns a TIMESTAMP → ISO-8601 with milliseconds. */
export function isoOf(value: unknown): string {
  return new Date(`${String(value).replace(" ", "T")}Z`).toISOString();
}
